import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli } from '../support/cli';
import { hasCommand, requireOrSkip } from '../support/requirements';

/** What `render` writes is accepted by the programs that will read it. */
describe('rendered configs pass their own programs', function () {
  let out: string;
  const inventories = [
    'inventories/production.example.yml',
    'test/fixtures/inventories/good/three-web.yml',
  ];

  before(async function () {
    requireOrSkip(
      this,
      hasCommand('haproxy') && hasCommand('nginx'),
      'haproxy and nginx are not installed',
    );
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-render-'));
  });
  after(() => out && fs.rmSync(out, { recursive: true, force: true }));

  for (const inventory of inventories) {
    describe(inventory, () => {
      let dir: string;
      before(async () => {
        dir = path.join(out, path.basename(inventory, '.yml'));
        const r = await cli('render', '-i', inventory, '--out', dir);
        assert.equal(r.code, 0, r.stderr);
      });

      it('haproxy -c accepts haproxy.cfg, with every web host as a backend', () => {
        const cfg = path.join(dir, 'lb-01', 'etc/haproxy/haproxy.cfg');
        // The rendered certificate holds masked secrets: HAProxy checks the TLS
        // settings against a throwaway self-signed one instead.
        const pem = path.join(dir, 'throwaway.pem');
        const made = spawnSync(
          'sh',
          [
            '-c',
            `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=test -keyout ${pem}.key -out ${pem}.crt 2>&1 && cat ${pem}.crt ${pem}.key > ${pem}`,
          ],
          { encoding: 'utf8' },
        );
        assert.equal(made.status, 0, made.stdout);
        const checked = path.join(dir, 'haproxy-checked.cfg');
        fs.writeFileSync(
          checked,
          fs
            .readFileSync(cfg, 'utf8')
            .replace(/crt \/etc\/haproxy\/certs\/site\.pem/g, `crt ${pem}`),
        );
        const r = spawnSync('haproxy', ['-c', '-f', checked], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        const servers = fs.readFileSync(cfg, 'utf8').match(/^\s+server \S+ \S+ check$/gm) ?? [];
        const webHosts = fs.readdirSync(dir).filter((h) => h.startsWith('web-'));
        assert.equal(servers.length, webHosts.length);
        assert.match(fs.readFileSync(cfg, 'utf8'), /balance roundrobin/);
        assert.match(fs.readFileSync(cfg, 'utf8'), /option httpchk/);
      });

      it('nginx -t accepts nginx.conf on every web host', () => {
        for (const host of fs.readdirSync(dir).filter((h) => h.startsWith('web-'))) {
          const conf = path.join(dir, host, 'etc/nginx/nginx.conf');
          const r = spawnSync('nginx', ['-t', '-q', '-c', conf], { encoding: 'utf8' });
          assert.equal(r.status, 0, `${host}: ${r.stderr}`);
        }
      });

      it('systemd-analyze verify accepts the application unit', function () {
        requireOrSkip(this, hasCommand('systemd-analyze'), 'systemd-analyze is not installed');
        const unit = fs
          .readdirSync(path.join(dir, 'web-01', 'etc/systemd/system'))
          .find((f) => f.endsWith('.service'))!;
        const r = spawnSync(
          'systemd-analyze',
          ['verify', path.join(dir, 'web-01', 'etc/systemd/system', unit)],
          {
            encoding: 'utf8',
          },
        );
        assert.equal(r.status, 0, r.stderr);
        assert.doesNotMatch(r.stderr, /Unknown (key|section)|Failed to parse/);
      });

      it('my.cnf: every server starts read-only (the tool makes the primary writable); the replica has crash-safe relay logs', () => {
        const primary = fs.readFileSync(path.join(dir, 'web-01', 'etc/mysql/my.cnf'), 'utf8');
        const replica = fs.readFileSync(path.join(dir, 'web-02', 'etc/mysql/my.cnf'), 'utf8');
        const id = (cnf: string) => /^server_id = (\d+)$/m.exec(cnf)?.[1];
        assert.ok(id(primary) && id(replica) && id(primary) !== id(replica));
        for (const cnf of [primary, replica]) assert.match(cnf, /^super_read_only = ON$/m);
        assert.match(replica, /^relay_log_recovery = ON$/m);
        assert.doesNotMatch(primary, /relay_log/);
        assert.match(replica, /^gtid_mode = ON$/m);
      });
    });
  }

  it('render --limit writes only the matching hosts, and a bad limit is an error', async () => {
    const dir = path.join(out, 'limited');
    const r = await cli(
      'render',
      '-i',
      'inventories/production.example.yml',
      '--out',
      dir,
      '--limit',
      'web',
    );
    assert.equal(r.code, 0, r.stderr);
    // Beside the hosts' folders, only the manifest of what the render wrote.
    assert.deepEqual(fs.readdirSync(dir).sort(), [
      '.foobar-render-manifest.json',
      'web-01',
      'web-02',
    ]);
    const none = await cli(
      'render',
      '-i',
      'inventories/production.example.yml',
      '--out',
      dir,
      '--limit',
      'db',
    );
    assert.equal(none.code, 1);
    assert.match(none.stderr, /matches no host/);
  });

  it('a template error writes nothing and names the template and line', async () => {
    const dir = path.join(out, 'broken');
    const r = await cli(
      'render',
      '-i',
      'test/fixtures/inventories/good/minimal.yml',
      '--out',
      dir,
      'test/fixtures/playbooks/missing-var.yml',
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /missing-var\.hbs:3: variable "absent" is not defined \(host /);
    assert.equal(fs.existsSync(dir), false);
  });
});
