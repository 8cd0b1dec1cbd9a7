import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../support/cli';
import { useE2eLab, type E2eLab } from '../support/lab';

/**
 * Issue 12, vault: the lab's secrets moved into an encrypted vault resolve in
 * `apply` on real hosts to the values the site was applied with (the
 * databases accept the passwords, HAProxy the key) and never appear in the
 * output, even at -vvv. The first apply's output at -vvv is checked by the
 * site suite, a rotation's by the rotation suite.
 */
describe('e2e: secrets from an encrypted vault', function () {
  this.timeout(10 * 60_000);
  let lab: E2eLab;
  let dir: string;
  let inventory: string;
  let vaultFile: string;
  let env: NodeJS.ProcessEnv;
  /** Every secret value moved into the vault, multi-line keys included. */
  const secrets = new Map<string, string>();

  const recap = (out: string, host: string) =>
    Number(new RegExp(`^${host}\\s+: ok=\\d+ changed=(\\d+)`, 'm').exec(out)?.[1]);
  /** No secret, nor any line of a multi-line one (PEM armour aside), in the text. */
  const assertNoSecret = (text: string) => {
    for (const [name, value] of secrets) {
      assert.ok(!text.includes(value), `the value of ${name} appears in the output`);
      for (const line of value.split('\n'))
        if (line.length >= 16 && !line.startsWith('-----'))
          assert.ok(!text.includes(line), `a line of ${name} appears in the output`);
    }
  };

  before(async function () {
    lab = await useE2eLab(this);
    await lab.resetToSite();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-vault-e2e-'));
    // Every `{ file: … }` reference to a secret or a key becomes `{ vault: name }`.
    const source = fs.readFileSync(lab.inventoryPath, 'utf8');
    let text = source.replace(
      /\{ file: ([^ ]+\/(secrets\/([a-z_]+)|tls\/([a-z0-9-]+)\.key)) \}/g,
      (_all, file: string, _rest: string, secret?: string, keyOf?: string) => {
        const name = secret ?? `tls_key_${keyOf!.replace(/-/g, '_')}`;
        secrets.set(name, fs.readFileSync(file, 'utf8').replace(/\r?\n$/, ''));
        return `{ vault: ${name} }`;
      },
    );
    assert.ok(secrets.size >= 6, `secrets moved into the vault: ${[...secrets.keys()].join(', ')}`);
    assert.ok(!/secrets\/|\.key \}/.test(text), 'every secret reference was replaced');
    text = text.replace(/^ {2}vars:\n/m, '  vars:\n    vault_file: site.vault\n');
    inventory = path.join(dir, 'lab.yml');
    fs.writeFileSync(inventory, text);

    const passwordFile = path.join(dir, 'vault-password');
    fs.writeFileSync(passwordFile, 'correct horse battery staple\n', { mode: 0o600 });
    env = { ...process.env, FOOBAR_VAULT_PASSWORD_FILE: passwordFile };
    vaultFile = path.join(dir, 'site.vault');
    fs.writeFileSync(vaultFile, stringify(Object.fromEntries(secrets)), { mode: 0o600 });
    const enc = runCli(['vault', 'encrypt', vaultFile], env);
    assert.equal(enc.code, 0, enc.out);
    const stored = fs.readFileSync(vaultFile, 'utf8');
    assertNoSecret(stored);
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('apply -vvv with the vault on the site applied from files: the same values, so nothing changes; none is printed', () => {
    // Every password, key and certificate is checked against the host's
    // (fingerprints, file contents): a value resolved differently is a change.
    const first = runCli(['apply', '-vvv', '-i', inventory], env);
    assert.equal(first.code, 0, first.out);
    for (const h of lab.hosts) assert.equal(recap(first.out, h.name), 0, first.out);
    assertNoSecret(first.out);
  });

  it('diff -vvv and status read the same secrets (the monitoring password logs in)', async () => {
    const d = runCli(['diff', '-vvv', '-i', inventory], env);
    assert.equal(d.code, 0, d.out);
    assertNoSecret(d.out);
    let s = runCli(['status', '-i', inventory], env);
    for (let i = 0; i < 30 && s.code !== 0; i++) {
      await new Promise((res) => setTimeout(res, 1000));
      s = runCli(['status', '-i', inventory], env);
    }
    assert.equal(s.code, 0, s.out);
    assertNoSecret(s.out);
  });

  it('a wrong vault password: exit 6 naming the vault, before any host is contacted', () => {
    const wrong = path.join(dir, 'wrong-password');
    fs.writeFileSync(wrong, 'not the password\n', { mode: 0o600 });
    const r = runCli(['apply', '-i', inventory], { ...env, FOOBAR_VAULT_PASSWORD_FILE: wrong });
    assert.equal(r.code, 6, r.out);
    assert.ok(r.out.includes('site.vault'), r.out);
    assert.doesNotMatch(r.out, /PLAY|RECAP/);
  });
});
