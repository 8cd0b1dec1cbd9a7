import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, editedProjectCopy } from '../support/cli';
import { httpFromHost, httpRequest, type Reply } from '../support/http';
import { e2eFlavors, type E2eLab, useE2eLab } from '../support/lab';

/** Every password and private key a lab inventory references: file → content. */
function labSecrets(inventory: string): [string, string][] {
  const files = [
    ...fs.readFileSync(inventory, 'utf8').matchAll(/\{ file: (\S+(?:\/secrets\/\S+|\.key)) \}/g),
  ];
  assert.ok(files.length >= 8, `secrets found in the lab inventory: ${files.length}`);
  return files.map((m) => [m[1]!, fs.readFileSync(m[1]!, 'utf8').trim()]);
}

/** Issue 6: www.foobar.com from bare hosts to a working, converged site, on both flavours. */
for (const flavor of e2eFlavors())
  describe(`e2e: the site on bare lab hosts (${flavor})`, function () {
    // Real hosts: package installs and database start-up take many seconds.
    this.timeout(10 * 60_000);
    let lab: E2eLab;
    let lb: string;
    // Users reach the site over HTTPS, checked against the lab's CA.
    const request = (url: string, options: { method?: string; body?: string } = {}) =>
      httpRequest(url, { ...options, ca: lab.caPath });

    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 15 * 60_000,
      });
      return { code: r.status, out: r.stdout + r.stderr };
    };
    const recap = (out: string, host: string) =>
      Number(new RegExp(`^${host}\\s+: ok=\\d+ changed=(\\d+)`, 'm').exec(out)?.[1]);

    before(async function () {
      lab = await useE2eLab(this, flavor);
      await lab.reset();
      lb = `https://${lab.host('lb-01').address}`;
    });

    it('1. validate passes on the lab inventory, and apply --check on the bare lab changes nothing', async () => {
      assert.equal(run(['validate', '-i', lab.inventoryPath]).code, 0);
      const r = run(['apply', '--check', '-i', lab.inventoryPath]);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /the database server does not answer yet/);
      for (const h of lab.hosts) {
        assert.notEqual(
          (await lab.ssh(h.name, 'dpkg -s nginx haproxy >/dev/null 2>&1')).code,
          0,
          `${h.name} is still bare`,
        );
      }
    });

    it('2. apply -vvv brings the site up, printing no secret: 20 requests through the lb all answer 200, round robin across both web hosts', async () => {
      const r = run(['apply', '-vvv', '-i', lab.inventoryPath]);
      if (r.code !== 0) assert.fail(await lab.explain(r.out));
      // The first apply sets every password and key: none shows, even traced.
      for (const [file, value] of labSecrets(lab.inventoryPath))
        for (const line of value.split('\n'))
          if (line.length >= 8 && !line.startsWith('-----'))
            assert.ok(!r.out.includes(line), `apply -vvv printed (a line of) ${file}`);
      // HAProxy needs its health checks to pass (rise 2 × 2 s) before both are UP.
      for (let i = 0; i < 40; i++) {
        const seen = new Set<string>();
        for (let j = 0; j < 4; j++) seen.add((await request(`${lb}/`)).servedBy);
        if (seen.size === 2) break;
        await new Promise((res) => setTimeout(res, 250));
      }
      const replies: Reply[] = [];
      for (let i = 0; i < 20; i++) replies.push(await request(`${lb}/`));
      assert.deepEqual(
        replies.filter((x) => x.status !== 200),
        [],
      );
      const order = replies.map((x) => x.servedBy);
      assert.deepEqual(new Set(order), new Set(['web-01', 'web-02']));
      for (let i = 1; i < order.length; i++)
        assert.notEqual(order[i], order[i - 1], `not alternating: ${order.join(' ')}`);
    });

    it("3. a second apply changes nothing, with one SSH connection and at most three remote commands per host (the transport's counters); apply --check --diff prints no diff", async () => {
      const r = run(['apply', '--timings', '-i', lab.inventoryPath]);
      assert.equal(r.code, 0, r.out);
      for (const h of lab.hosts) {
        assert.equal(recap(r.out, h.name), 0, r.out);
        const m = new RegExp(
          `^${h.name} : connect=.* ssh_connections=(\\d+) remote_commands=(\\d+)$`,
          'm',
        ).exec(r.out);
        assert.ok(m, `no timings line for ${h.name}:\n${r.out}`);
        assert.equal(Number(m[1]), 1, `${h.name}: SSH connections`);
        assert.ok(Number(m[2]) <= 3, `${h.name}: ${m[2]} remote commands`);
      }
      const d = run(['apply', '--check', '--diff', '-i', lab.inventoryPath]);
      assert.equal(d.code, 0, d.out);
      assert.doesNotMatch(d.out, /^(\+\+\+|---) /m);
      // The later suites start from this site (applied, then found converged)
      // instead of applying their own.
      await lab.keepAsSite();
    });

    it('4. a row written through the application is on the page and on the replica', async () => {
      const posted = await request(`${lb}/messages`, {
        method: 'POST',
        body: JSON.stringify({ text: 'written through the lb' }),
      });
      assert.equal(posted.status, 201, posted.body);
      const { id } = JSON.parse(posted.body) as { id: number };
      // The replica's Nginx answers the lb only (its firewall): asked from there.
      const replica = `http://${lab.host('web-02').address}/messages/${id}`;
      let found: Reply | undefined;
      for (let i = 0; i < 20 && found?.status !== 200; i++) {
        found = await httpFromHost(lab.ssh, 'lb-01', replica);
        if (found.status !== 200) await new Promise((res) => setTimeout(res, 250));
      }
      assert.equal(found!.status, 200, found!.body);
      assert.match(found!.body, /written through the lb/);
      const rows = (await lab.ssh('web-02', 'sudo mysql -N -e "SELECT text FROM foobar.messages"'))
        .stdout;
      assert.match(rows, /written through the lb/);
      assert.match((await request(`${lb}/`)).body, /written through the lb/);
    });

    it('5. nginx stopped on one web host: HAProxy marks it down and the next 20 requests succeed through the other', async () => {
      await lab.ssh('web-01', 'sudo systemctl stop nginx');
      try {
        // Within the health-check window: fall 2 × inter 2 s, plus one interval.
        let down = false;
        for (let i = 0; i < 28 && !down; i++) {
          const stat = await lab.ssh(
            'lb-01',
            'echo "show servers state web" | sudo socat stdio /run/haproxy/admin.sock 2>/dev/null || true',
          );
          down = / web-01 \S+ 0 /.test(stat.stdout) || (await isDownByStats());
          if (!down) await new Promise((res) => setTimeout(res, 250));
        }
        assert.ok(down, 'HAProxy did not mark web-01 DOWN within 7 s');
        const replies: Reply[] = [];
        for (let i = 0; i < 20; i++) replies.push(await request(`${lb}/`));
        assert.deepEqual(
          replies.filter((x) => x.status !== 200 || x.servedBy !== 'web-02'),
          [],
        );
      } finally {
        await lab.ssh('web-01', 'sudo systemctl start nginx');
      }
    });

    async function isDownByStats(): Promise<boolean> {
      // Without socat: HAProxy's own journal says "Server web/web-01 is DOWN".
      const j = await lab.ssh(
        'lb-01',
        'sudo journalctl -u haproxy --no-pager -o cat --since "-10s" | grep -c "web/web-01 is DOWN" || true',
      );
      return Number(j.stdout.trim()) > 0;
    }

    it('6. a template edit changes only the web hosts, one at a time, while a curl loop through the lb sees no failure', async () => {
      // A copy of the project with one header added to the Nginx config.
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-site-'));
      try {
        const playbook = editedProjectCopy(work, 'nginx.conf.hbs', (t) =>
          t.replace(
            'add_header X-Served-By',
            'add_header X-Site-Edit "e2e" always;\n        add_header X-Served-By',
          ),
        );
        // Wait until both backends are UP again after step 5.
        for (let i = 0; i < 40; i++) {
          const s = new Set<string>();
          for (let j = 0; j < 4; j++) s.add((await request(`${lb}/`)).servedBy);
          if (s.size === 2) break;
          await new Promise((res) => setTimeout(res, 250));
        }
        let stop = false;
        const failures: string[] = [];
        let count = 0;
        const loop = (async () => {
          const deadline = Date.now() + 120_000;
          while (!stop && Date.now() < deadline && count < 5000) {
            const x = await request(`${lb}/healthz`);
            count++;
            if (x.status !== 200) failures.push(`${x.status} ${x.body}`);
          }
        })();
        const child = spawn(process.execPath, [BIN, 'apply', '-i', lab.inventoryPath, playbook], {
          cwd: ROOT,
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const code = await new Promise<number | null>((res) => child.once('exit', res));
        stop = true;
        await loop;
        assert.equal(code, 0, out);
        assert.ok(count > 20, `only ${count} requests`);
        assert.deepEqual(failures, [], `${failures.length} of ${count} requests failed`);
        assert.equal(recap(out, 'lb-01'), 0, out);
        assert.ok(recap(out, 'web-01') > 0 && recap(out, 'web-02') > 0, out);
        // One at a time: every change of web-01 (serial batch 1) comes before any of web-02.
        const lines = out.split('\n').filter((l) => /^changed: \[web-0[12]\]/.test(l));
        const lastFirst = lines.map((l) => l.includes('[web-01]')).lastIndexOf(true);
        const firstSecond = lines.map((l) => l.includes('[web-02]')).indexOf(true);
        assert.ok(lastFirst < firstSecond, lines.join('\n'));
        const edited = await request(`${lb}/`);
        assert.equal(edited.status, 200);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    });
  });
