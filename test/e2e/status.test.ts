import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, ROOT, runCli } from '../support/cli';
import { useE2eLab, type E2eLab } from '../support/lab';
import type { SiteStatus } from '../../src/site/status/site-health';

/** Issue 11, `status`: a read-only health view of the live site, exit 0/1/2. */
describe('e2e: foobar-infra status on the live site', function () {
  this.timeout(10 * 60_000);
  let lab: E2eLab;

  const status = () => {
    const r = runCli(['status', '-i', lab.inventoryPath, '--format', 'json']);
    return {
      code: r.code,
      out: r.out,
      doc: JSON.parse(r.stdout) as SiteStatus & { version: number },
    };
  };
  /** Polls `status` until `done` holds (HAProxy's checks take a few seconds to see a change). */
  const until = async (done: (s: ReturnType<typeof status>) => boolean, seconds = 30) => {
    let last = status();
    for (let i = 0; i < seconds && !done(last); i++) {
      await new Promise((res) => setTimeout(res, 1000));
      last = status();
    }
    return last;
  };
  const recap = (out: string, host: string) =>
    Number(new RegExp(`^${host}\\s+: ok=\\d+ changed=(\\d+)`, 'm').exec(out)?.[1]);

  before(async function () {
    lab = await useE2eLab(this);
    await lab.resetToSite();
    const r = runCli(['apply', '-i', lab.inventoryPath]);
    assert.equal(r.code, 0, r.out);
  });

  it('1. a healthy site: exit 0, every host, backend, replica and the site check shown', async () => {
    const s = await until((x) => x.code === 0);
    assert.equal(s.code, 0, s.out);
    assert.equal(s.doc.verdict, 'healthy');
    assert.deepEqual(s.doc.problems, []);
    assert.deepEqual(
      s.doc.hosts.map((h) => [h.host, h.reachable, h.services.every((x) => x.state === 'running')]),
      lab.hosts.map((h) => [h.name, true, true]),
    );
    assert.deepEqual(
      s.doc.backends.map((b) => [b.server, b.status, b.check, b.health]),
      [
        ['web-01', 'UP', 'L7OK', 200],
        ['web-02', 'UP', 'L7OK', 200],
      ],
    );
    assert.equal(s.doc.replicas.length, 1);
    const replica = s.doc.replicas[0]!;
    assert.deepEqual(
      [replica.host, replica.source, replica.io, replica.sql, replica.tls],
      ['web-02', 'web-01', 'Yes', 'Yes', true],
    );
    assert.equal(replica.gtidGap, 0);
    assert.deepEqual(
      s.doc.site.map((x) => x.status),
      [200],
    );
    // The text view: one table row per host, and the verdict.
    const text = runCli(['status', '-i', lab.inventoryPath]);
    assert.equal(text.code, 0, text.out);
    for (const h of lab.hosts) assert.match(text.stdout, new RegExp(`^${h.name}\\s`, 'm'));
    assert.match(text.stdout, /^STATUS: healthy \(exit 0\)$/m);
  });

  it('2. Nginx stopped on one web host: that backend is DOWN, exit 1 (degraded); back to 0 once it runs', async () => {
    await lab.ssh('web-01', 'sudo systemctl stop nginx');
    try {
      const s = await until((x) =>
        x.doc.backends.some((b) => b.server === 'web-01' && b.status === 'DOWN'),
      );
      assert.equal(s.code, 1, s.out);
      assert.equal(s.doc.verdict, 'degraded');
      assert.deepEqual(
        s.doc.backends.map((b) => [b.server, b.status]),
        [
          ['web-01', 'DOWN'],
          ['web-02', 'UP'],
        ],
      );
      assert.ok(s.doc.problems.includes('web-01: nginx is stopped'), s.doc.problems.join('\n'));
      assert.ok(
        s.doc.problems.includes('lb-01: backend web-01 is DOWN'),
        s.doc.problems.join('\n'),
      );
      assert.deepEqual(
        s.doc.site.map((x) => x.status),
        [200],
      );
    } finally {
      await lab.ssh('web-01', 'sudo systemctl start nginx');
    }
    assert.equal((await until((x) => x.code === 0)).code, 0);
  });

  it('3. mysqld stopped on the replica: replication shown broken, exit 1', async () => {
    const unit = lab.flavor === 'mariadb' ? 'mariadb' : 'mysql';
    await lab.ssh('web-02', `sudo systemctl stop ${unit}`);
    try {
      const s = await until((x) => x.doc.replicas[0]?.io !== 'Yes');
      assert.equal(s.code, 1, s.out);
      assert.ok(
        s.doc.problems.some((p) => /^web-02: replication is broken/.test(p)),
        s.doc.problems.join('\n'),
      );
      assert.ok(s.doc.problems.includes(`web-02: ${unit} is stopped`));
    } finally {
      await lab.ssh('web-02', `sudo systemctl start ${unit}`);
    }
    assert.equal((await until((x) => x.code === 0, 60)).code, 0);
  });

  it('4. a second apply after the scenarios changes nothing; HAProxy stopped: exit 2 (down)', async () => {
    const inventory = lab.inventoryPath;
    const r = runCli(['apply', '-i', inventory]);
    assert.equal(r.code, 0, r.out);
    for (const h of lab.hosts) assert.equal(recap(r.out, h.name), 0, r.out);
    await lab.ssh('lb-01', 'sudo systemctl stop haproxy');
    try {
      const s = status();
      assert.equal(s.code, 2, s.out);
      assert.equal(s.doc.verdict, 'down');
    } finally {
      await lab.ssh('lb-01', 'sudo systemctl start haproxy');
    }
  });

  it('5. --watch refreshes over the same connections until Ctrl-C, then exits with the last verdict', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'status', '-i', lab.inventoryPath, '--watch', '1'],
      {
        cwd: ROOT,
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const seen = async (n: number) => {
      for (let i = 0; i < 100 && (out.match(/^STATUS: /gm) ?? []).length < n; i++)
        await new Promise((res) => setTimeout(res, 100));
    };
    await seen(3);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((res) => child.on('close', res));
    assert.ok((out.match(/^STATUS: healthy \(exit 0\)$/gm) ?? []).length >= 3, out);
    // Not a TTY: plain lines, no screen clearing.
    assert.ok(!out.includes('\x1b['), 'escape sequences in piped output');
    assert.equal(code, 0);
  });

  it("6. monitoring endpoints: HAProxy's stats page behind its password on the private side, Nginx stub_status on localhost, a least-privilege MySQL monitoring user", async () => {
    const secrets = path.join(path.dirname(lab.inventoryPath), 'secrets');
    const password = fs.readFileSync(path.join(secrets, 'lb_stats_password'), 'utf8').trim();
    const lb = lab.host('lb-01').address;
    const code = (args: string[]) =>
      spawnSync('curl', ['-s', '-m', '5', '-o', '/dev/null', '-w', '%{http_code}', ...args], {
        encoding: 'utf8',
      }).stdout;
    // This machine is an admin source: the page answers, over TLS, with the password only.
    const ca = ['--cacert', lab.caPath];
    assert.equal(code([...ca, '-u', `stats:${password}`, `https://${lb}:8404/stats`]), '200');
    assert.equal(code([...ca, `https://${lb}:8404/stats`]), '401');
    assert.match(
      spawnSync(
        'curl',
        ['-s', '-m', '5', ...ca, '-u', `stats:${password}`, `https://${lb}:8404/stats;csv`],
        {
          encoding: 'utf8',
        },
      ).stdout,
      /^# pxname,svname,/,
    );
    // A web host is not an admin source: the firewall drops it.
    const fromWeb = await lab.ssh(
      'web-01',
      `timeout 3 bash -c '</dev/tcp/${lb}/8404' 2>/dev/null && echo open || echo closed`,
    );
    assert.equal(fromWeb.stdout.trim(), 'closed');
    for (const web of ['web-01', 'web-02']) {
      const local = await lab.ssh(web, 'curl -s -m 3 http://127.0.0.1:8081/nginx_status');
      assert.match(local.stdout, /^Active connections: \d+/);
    }
    const address = lab.host('web-01').address;
    assert.equal(code([`http://${address}:8081/nginx_status`]), '000');
    // The monitoring user reads replication and performance_schema, not the site's data.
    const monitor = fs.readFileSync(path.join(secrets, 'mysql_monitor_password'), 'utf8').trim();
    const asMonitor = (sql: string) =>
      lab.ssh(
        'web-02',
        `MYSQL_PWD='${monitor}' mysql -u monitor -N -e "${sql}" 2>&1; echo "rc=$?"`,
      );
    assert.match((await asMonitor('SHOW REPLICA STATUS')).stdout, /rc=0/);
    assert.match(
      (await asMonitor('SELECT COUNT(*) FROM performance_schema.global_status')).stdout,
      /rc=0/,
    );
    const denied = (await asMonitor('SELECT COUNT(*) FROM foobar.messages')).stdout;
    assert.match(denied, /denied/);
    assert.match(denied, /rc=1/);
  });
});
