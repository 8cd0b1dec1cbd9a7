import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redactor } from '../../src/core/redact';
import { MemoryDriver } from '../support/memory-driver';
import { MemoryHost } from '../../src/facts/memory-host';
import { requireProject } from '../../src/engine/project';
import { SITE } from '../../src/cli/site-project';
import { runPlaybook } from '../../src/engine/runner';
import { resolveSecrets } from '../../src/engine/secrets';
import { textReporter } from '../../src/report/text-reporter';
import { encrypt } from '../../src/vault/vault-format';
import { VaultStore } from '../../src/vault/vault-store';
import { fixture } from '../support/cli';

const PASSWORD = 'engine-vault-password';
const APP_SECRET = 'canary-engine-vault-3b9e71';

/** Vault secrets through the engine, on in-memory hosts: in the files placed, in no output. */
describe('vault secrets in a run', () => {
  let work: string;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-vault-engine-'));
    fs.writeFileSync(
      path.join(work, 'secrets.vault'),
      encrypt(`app_db: ${APP_SECRET}\nunused: another-secret-value\n`, PASSWORD),
    );
    // web-02 names the same vault another way: it is still one vault, opened once.
    fs.writeFileSync(
      path.join(work, 'inv.yml'),
      fs
        .readFileSync(fixture('inventories', 'good', 'minimal.yml'), 'utf8')
        .replace(
          '    web:\n',
          '    web:\n      vars:\n        vault_file: secrets.vault\n        mysql_app_password: { vault: app_db }\n',
        )
        .replace('server_id: 2 }', 'server_id: 2, vault_file: ./sub/../secrets.vault }'),
    );
    fs.mkdirSync(path.join(work, 'templates'));
    fs.writeFileSync(
      path.join(work, 'templates', 'db.conf.hbs'),
      'password={{mysql_app_password}}\n',
    );
    fs.writeFileSync(
      path.join(work, 'site.yml'),
      [
        '- name: Web',
        '  hosts: web',
        '  tasks:',
        '    - name: db.conf',
        '      template: { src: db.conf.hbs, dest: /etc/db.conf, mode: "0600" }',
        '',
      ].join('\n'),
    );
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('resolves { vault: NAME } once per vault, places the value, and masks it in every output', async () => {
    const project = requireProject(path.join(work, 'inv.yml'), path.join(work, 'site.yml'), SITE);
    let asked = 0;
    const vaults = new VaultStore(async () => {
      asked++;
      return PASSWORD;
    });
    const redactor = new Redactor();
    const secret = await resolveSecrets(project, ['lb-01', 'web-01', 'web-02'], redactor, vaults);
    assert.equal(asked, 1, 'the password is asked once');
    assert.equal(
      await vaults.open(path.join(work, 'secrets.vault')),
      await vaults.open(path.join(work, 'sub', '..', 'secrets.vault')),
      'one vault, decrypted once',
    );
    assert.equal(redactor.redact(`x ${APP_SECRET} y`), 'x ******** y');

    const hosts = new Map(['web-01', 'web-02'].map((n) => [n, new MemoryHost(n)]));
    for (const h of hosts.values())
      h.dirs.set('/etc', { mode: '0755', owner: 'root', group: 'root' });
    const output: string[] = [];
    const result = await runPlaybook({
      project,
      secret,
      redact: (text) => redactor.redact(text),
      connect: async (name) => new MemoryDriver(hosts.get(name)!),
      emit: textReporter({
        color: false,
        verbosity: 2,
        out: (line) => output.push(redactor.redact(line)),
      }),
      check: false,
      diff: true,
      forks: 2,
    });
    assert.equal(result.failed.length, 0, output.join('\n'));
    for (const host of hosts.values())
      assert.equal(host.files.get('/etc/db.conf')!.content.toString(), `password=${APP_SECRET}\n`);
    const text = output.join('\n');
    assert.match(text, /\+password=\*{8}/, 'the diff shows the line, masked');
    assert.ok(!text.includes(APP_SECRET));
  });

  it('a vault that is not in scope is never opened', async () => {
    const project = requireProject(path.join(work, 'inv.yml'), path.join(work, 'site.yml'), SITE);
    const vaults = new VaultStore(() => Promise.reject(new Error('asked for a password')));
    await resolveSecrets(project, ['lb-01'], new Redactor(), vaults);
  });
});
