import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, cli, cliProcess } from '../support/cli';

describe('the CLI', () => {
  it('--version prints the package version and exits 0', () => {
    const r = cliProcess(['--version']);
    const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), version);
  });

  it('--help lists every command', () => {
    const r = cliProcess(['--help']);
    assert.equal(r.code, 0);
    for (const c of ['validate', 'inventory', 'render', 'lab'])
      assert.match(r.stdout, new RegExp(`\\n  ${c}\\b`));
  });

  it('--version, validate and render never load the SSH code (node-ssh, ssh2, the transport)', () => {
    const hook = path.join(ROOT, 'dist', 'test', 'support', 'forbid-ssh.js');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-lazy-'));
    try {
      for (const args of [
        ['--version'],
        ['validate', '-i', 'inventories/production.example.yml'],
        ['render', '-i', 'inventories/production.example.yml', '--out', path.join(out, 'r')],
      ]) {
        const r = spawnSync(process.execPath, ['--require', hook, BIN, ...args], {
          cwd: ROOT,
          encoding: 'utf8',
        });
        assert.equal(r.status, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('an unknown command or option is a usage error with exit 1', () => {
    assert.equal(cliProcess(['frobnicate']).code, 1);
    const r = cliProcess(['validate', '--nope']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown option '--nope'/);
  });

  it('validate passes on the production example', async () => {
    const r = await cli('validate', '-i', 'inventories/production.example.yml');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ok: .* \(3 hosts\)/);
  });

  it('validate warns, and still exits 0, when a secret cannot be resolved yet', async () => {
    const r = await cli('validate', '-i', 'test/fixtures/inventories/good/three-web.yml');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: mysql_app_password: environment variable SHOP_DB_APP is not set/,
    );
  });

  it('validate reports a template error with the template, line and host', async () => {
    const r = await cli(
      'validate',
      '-i',
      'test/fixtures/inventories/good/minimal.yml',
      'test/fixtures/playbooks/missing-var.yml',
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /missing-var\.hbs:3: variable "absent" is not defined \(host web-01\)/);
  });

  it('inventory --list gives every host with merged variables, secrets as references', async () => {
    const r = await cli('inventory', '-i', 'inventories/production.example.yml', '--list');
    assert.equal(r.code, 0, r.stderr);
    const data = JSON.parse(r.stdout) as {
      _meta: { hostvars: Record<string, Record<string, unknown>> };
      web: { hosts: string[] };
    };
    assert.deepEqual(data.web.hosts, ['web-01', 'web-02']);
    assert.equal(data._meta.hostvars['web-02']!.mysql_source, 'web-01');
    assert.equal(
      data._meta.hostvars['web-02']!.mysql_app_password,
      '<secret env:FOOBAR_MYSQL_APP_PASSWORD>',
    );
  });

  it('inventory --graph draws the group tree, ungrouped included, as ansible-inventory does', async () => {
    const r = await cli('inventory', '-i', 'inventories/production.example.yml', '--graph');
    assert.equal(
      r.stdout,
      '@all:\n  |--@ungrouped:\n  |--@lb:\n  |  |--lb-01\n  |--@web:\n  |  |--web-01\n  |  |--web-02\n',
    );
  });

  it("inventory --list is a neutral merge: the site's rules run in validate, not in the loader", async () => {
    const dir = fs.mkdtempSync('/tmp/foobar-neutral-');
    // Groups named lb and web, no TLS certificate, no firewall sources: a plain Ansible inventory.
    fs.writeFileSync(
      `${dir}/inv.yml`,
      'lb:\n  hosts:\n    lb-01:\nweb:\n  hosts:\n    web-01:\n    web-02:\n',
    );
    const list = await cli('inventory', '-i', `${dir}/inv.yml`, '--list');
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).lb, { hosts: ['lb-01'] });
    for (const mode of ['--graph', '--host']) {
      const r = await cli(
        'inventory',
        '-i',
        `${dir}/inv.yml`,
        ...(mode === '--host' ? [mode, 'lb-01'] : [mode]),
      );
      assert.equal(r.code, 0, r.stderr);
    }
    const validate = await cli('validate', '-i', `${dir}/inv.yml`);
    assert.equal(validate.code, 1);
    assert.match(validate.stderr, /inv\.yml:3:5: .*HTTPS is on by default/);
  });

  it('inventory --host of an unknown host is a clear error', async () => {
    const r = await cli(
      'inventory',
      '-i',
      'inventories/production.example.yml',
      '--host',
      'web-09',
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no host named web-09/);
  });

  it('secret values resolved from files never reach the rendered output', async () => {
    const dir = fs.mkdtempSync('/tmp/foobar-secret-');
    fs.writeFileSync(`${dir}/app`, 'canary-7f3a9e-secret\n');
    fs.writeFileSync(`${dir}/repl`, 'canary-repl-2b81-secret\n');
    const inv = fs
      .readFileSync('test/fixtures/inventories/good/minimal.yml', 'utf8')
      .replace(
        '    ssh_user: deploy',
        `    ssh_user: deploy\n    mysql_app_password: { file: ${dir}/app }\n    mysql_replication_password: { file: ${dir}/repl }`,
      );
    fs.writeFileSync(`${dir}/inv.yml`, inv);
    const r = await cli('render', '-i', `${dir}/inv.yml`, '--out', `${dir}/out`);
    assert.equal(r.code, 0, r.stderr);
    const env = fs.readFileSync(`${dir}/out/web-01/opt/foobar/app.env`, 'utf8');
    assert.match(env, /^DB_PASSWORD=\*{8}$/m);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
