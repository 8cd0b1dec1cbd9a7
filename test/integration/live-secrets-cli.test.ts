import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT } from '../support/cli';
import { ensureSshd, localInventory, startLocalSshd, type LocalSshd } from '../support/local-sshd';
import { requireOrSkip } from '../support/requirements';

/**
 * Issue 20, finding 1: a secret rotation, or a host edited by hand, leaves
 * values on the host that the run does not know. The real CLI against this
 * machine (local sshd, needs root): files that hold an old password and an
 * old private key are planned over with new ones, and no output, at any
 * verbosity or format, nor the plan file, shows the old values or the new.
 */
describe('a rotation shows neither the old secrets nor the new (local sshd)', function () {
  this.timeout(60_000);
  let sshd: LocalSshd;
  let started = false;
  let dir: string;
  let inventory: string;
  let playbook: string;
  let target: string;
  /** Every value that must never show: old and new passwords, every line of both keys. */
  const hidden: string[] = [];
  const oldPassword = `old-canary-${randomBytes(8).toString('hex')}`;
  const newPassword = `new-canary-${randomBytes(8).toString('hex')}`;
  const pem = () =>
    generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
  const oldKey = pem();
  const newKey = pem();

  before(async function () {
    this.timeout(600_000); // may install openssh-server
    const env = ensureSshd();
    requireOrSkip(this, env.ok, env.why);
    sshd = await startLocalSshd();
    started = true;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-live-secrets-'));
    target = path.join(dir, 'host');
    fs.mkdirSync(target, { mode: 0o700 });
    // The host as a rotation finds it: the old password and key in place.
    fs.writeFileSync(
      path.join(target, 'app.env'),
      `PORT=3000\nDB_PASSWORD=${oldPassword}\n# api_token: ${oldPassword}\n`,
      { mode: 0o600 },
    );
    fs.writeFileSync(path.join(target, 'site.pem'), oldKey, { mode: 0o600 });
    const keyFile = path.join(dir, 'new.key');
    fs.writeFileSync(keyFile, newKey, { mode: 0o600 });
    for (const v of [oldPassword, newPassword]) hidden.push(v);
    for (const key of [oldKey, newKey])
      for (const line of key.split('\n')) if (line && !line.startsWith('-----')) hidden.push(line);

    inventory = path.join(dir, 'inventory.yml');
    fs.writeFileSync(
      inventory,
      localInventory(sshd, [
        'mysql_app_password: { env: FOOBAR_NEW_PASSWORD }',
        `lb_tls_key: { file: ${keyFile} }`,
      ]),
    );
    const project = path.join(dir, 'project');
    fs.mkdirSync(path.join(project, 'playbooks'), { recursive: true });
    fs.mkdirSync(path.join(project, 'templates'), { recursive: true });
    fs.writeFileSync(
      path.join(project, 'templates', 'app.env.hbs'),
      'PORT=3000\nDB_PASSWORD={{mysql_app_password}}\n',
    );
    fs.writeFileSync(path.join(project, 'templates', 'site.pem.hbs'), '{{lb_tls_key}}\n');
    playbook = path.join(project, 'playbooks', 'rotate.yml');
    fs.writeFileSync(
      playbook,
      [
        '- name: Rotate',
        '  hosts: targets',
        '  tasks:',
        '    - name: The application environment',
        '      template:',
        '        src: app.env.hbs',
        `        dest: ${path.join(target, 'app.env')}`,
        '        mode: "0600"',
        '    - name: The site key',
        '      template:',
        '        src: site.pem.hbs',
        `        dest: ${path.join(target, 'site.pem')}`,
        '        mode: "0600"',
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    if (started) await sshd.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function cli(args: string[]) {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: sshd.dir,
        LANG: 'C.UTF-8',
        FOOBAR_NEW_PASSWORD: newPassword,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }

  function assertHidden(label: string, text: string) {
    for (const value of hidden)
      assert.ok(
        !text.includes(value),
        `${label} shows a secret (${value.slice(0, 12)}…):\n${text}`,
      );
  }

  for (const verbosity of ['-v', '-vv', '-vvv'])
    for (const format of ['text', 'json'])
      it(`diff ${verbosity} --format ${format} --out: the rotation is planned, no secret shows, the plan file is 0600`, () => {
        const out = path.join(dir, `plan${verbosity}-${format}.json`);
        const r = cli([
          'diff',
          verbosity,
          '--format',
          format,
          '--out',
          out,
          '-i',
          inventory,
          playbook,
        ]);
        assert.equal(r.code, 2, r.out);
        assertHidden('diff', r.out);
        assertHidden('the plan file', fs.readFileSync(out, 'utf8'));
        assert.equal(fs.statSync(out).mode & 0o777, 0o600, 'the plan file is private');
        if (format === 'text') assert.match(r.out, /^ {6}-DB_PASSWORD=\*{8}$/m);
      });

  for (const verbosity of ['-v', '-vv', '-vvv'])
    it(`apply --check --diff ${verbosity}: no secret shows, nothing changes`, () => {
      const r = cli(['apply', '--check', '--diff', verbosity, '-i', inventory, playbook]);
      assert.equal(r.code, 0, r.out);
      assertHidden('apply --check --diff', r.out);
      assert.ok(fs.readFileSync(path.join(target, 'app.env'), 'utf8').includes(oldPassword));
    });

  it('apply --diff -vvv: the host gets the new values; no secret shows', () => {
    const r = cli(['apply', '--diff', '-vvv', '-i', inventory, playbook]);
    assert.equal(r.code, 0, r.out);
    assertHidden('apply --diff -vvv', r.out);
    assert.equal(fs.readFileSync(path.join(target, 'site.pem'), 'utf8'), `${newKey.trimEnd()}\n`);
    assert.match(fs.readFileSync(path.join(target, 'app.env'), 'utf8'), new RegExp(newPassword));
  });
});
