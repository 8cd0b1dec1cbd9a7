import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { e2eFlavors, type E2eLab, useE2eLab } from '../support/lab';

interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}
interface Alert {
  name: string;
  summary: string;
}

/** Whether a TCP connection to address:port gets through (the firewall drops: a timeout). */
function reachable(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port, timeout: 2000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/**
 * Issue 24 on real hosts, both flavours: Prometheus and Alertmanager on the
 * first load balancer (no monitor group), an exporter on every host. Every
 * target is scraped; a backend down, replication stopped and a certificate
 * near its end fire their alerts, which `status` shows; the exporters answer
 * the monitor host only.
 */
for (const flavor of e2eFlavors())
  describe(`e2e: monitoring, Prometheus and Alertmanager from Debian (${flavor})`, function () {
    this.timeout(15 * 60_000);
    let lab: E2eLab;
    let work: string;
    const client = flavor === 'mariadb' ? 'mariadb' : 'mysql';
    const sh = async (host: string, command: string) => {
      const r = await lab.ssh(host, command, { timeoutMs: 120_000 });
      assert.equal(r.code, 0, `${host}: ${command}\n${r.stdout}${r.stderr}`);
      return r.stdout;
    };
    const cli = (inventory: string, ...args: string[]) => runCli([...args, '-i', inventory]);
    const address = (host: string) => lab.host(host).address;
    const targets = async (): Promise<Target[]> =>
      (
        JSON.parse(await sh('lb-01', `curl -s http://127.0.0.1:9090/api/v1/targets`)) as {
          data: { activeTargets: Target[] };
        }
      ).data.activeTargets;
    const alerts = (inventory = lab.inventoryPath): Alert[] => {
      const r = cli(inventory, 'status', '--format', 'json');
      return (JSON.parse(r.stdout) as { alerts: Alert[] }).alerts;
    };
    /** Polls status until `want` holds of the firing alerts; returns the seconds it took. */
    const until = async (want: (a: Alert[]) => boolean, seconds: number, inventory?: string) => {
      const start = Date.now();
      let seen: Alert[] = [];
      while (Date.now() - start < seconds * 1000) {
        seen = alerts(inventory);
        if (want(seen)) return (Date.now() - start) / 1000;
        await new Promise((r) => setTimeout(r, 3000));
      }
      assert.fail(`not within ${seconds} s; firing: ${JSON.stringify(seen)}`);
    };
    const firing = (name: string, summary: RegExp) => (a: Alert[]) =>
      a.some((x) => x.name === name && summary.test(x.summary));

    before(async function () {
      this.timeout(15 * 60_000);
      lab = await useE2eLab(this, flavor);
      await lab.resetToSite();
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-e2e-monitoring-'));
    });
    after(() => {
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it('1. after the first apply: every exporter is a target of Prometheus, all UP, none missing', async () => {
      const expected = [
        'node lb-01',
        'node web-01',
        'node web-02',
        'haproxy lb-01',
        'nginx web-01',
        'nginx web-02',
        'mysqld web-01',
        'mysqld web-02',
        'site lb-01',
        'alertmanager lb-01',
      ].sort();
      let seen: Target[] = [];
      for (let i = 0; i < 20; i++) {
        seen = await targets();
        if (seen.length === expected.length && seen.every((t) => t.health === 'up')) break;
        await new Promise((r) => setTimeout(r, 3000));
      }
      assert.deepEqual(
        seen.map((t) => `${t.labels.job} ${t.labels.host ?? t.labels.lb}`).sort(),
        expected,
      );
      for (const t of seen) assert.equal(t.health, 'up', JSON.stringify(t));
      assert.deepEqual(alerts(), []);
    });

    it('2. Nginx stopped on web-01: the backend-down alert fires within 60 s and status shows it; started again, it resolves', async () => {
      await sh('web-01', 'sudo systemctl stop nginx');
      try {
        const took = await until(firing('BackendDown', /web-01 DOWN/), 60);
        process.stderr.write(`      BackendDown fired after ${took.toFixed(0)} s\n`);
        const text = cli(lab.inventoryPath, 'status');
        assert.equal(text.code, 1, text.out);
        assert.match(
          text.out,
          /^BackendDown\s+critical\s+\S+\s+HAProxy on lb-01 has web-01 DOWN in web$/m,
        );
      } finally {
        await sh('web-01', 'sudo systemctl start nginx');
      }
      await until((a) => !a.some((x) => x.name === 'BackendDown'), 120);
    });

    it("3. the replica's SQL thread stopped: the replication alert fires, and status shows it", async () => {
      await sh('web-02', `sudo ${client} -e 'STOP REPLICA SQL_THREAD'`);
      try {
        await until(firing('ReplicationStopped', /replication on web-02 is stopped/), 90);
      } finally {
        await sh('web-02', `sudo ${client} -e 'START REPLICA SQL_THREAD'`);
      }
      await until((a) => !a.some((x) => x.name === 'ReplicationStopped'), 120);
    });

    it('4. a certificate that expires within 10 days: the certificate alert fires', async () => {
      const tls = path.dirname(lab.caPath);
      const key = path.join(work, 'short.key');
      const crt = path.join(work, 'short.crt');
      const site = spawnSync(
        'openssl',
        ['x509', '-in', path.join(tls, 'site.crt'), '-noout', '-ext', 'subjectAltName'],
        {
          encoding: 'utf8',
        },
      ).stdout;
      const san = site
        .split('\n')[1]!
        .trim()
        .replace(/IP Address:/g, 'IP:');
      fs.writeFileSync(path.join(work, 'ext.cnf'), `subjectAltName=${san}\n`);
      const run = (args: string[]) => {
        const r = spawnSync('openssl', args, { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
      };
      run([
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-subj',
        '/CN=www.foobar.com',
        '-out',
        path.join(work, 'short.csr'),
      ]);
      run([
        'x509',
        '-req',
        '-in',
        path.join(work, 'short.csr'),
        '-CA',
        lab.caPath,
        '-CAkey',
        path.join(tls, 'ca.key'),
        '-CAcreateserial',
        '-days',
        '10',
        '-extfile',
        path.join(work, 'ext.cnf'),
        '-out',
        crt,
      ]);
      const inventory = path.join(work, 'short-cert.yml');
      const text = fs.readFileSync(lab.inventoryPath, 'utf8');
      const edited = text
        .replace(/lb_tls_certificate: \{ file: [^}]+ \}/, `lb_tls_certificate: { file: ${crt} }`)
        .replace(/lb_tls_key: \{ file: [^}]+ \}/, `lb_tls_key: { file: ${key} }`);
      assert.notEqual(edited, text);
      fs.writeFileSync(inventory, edited);
      try {
        const r = cli(inventory, 'apply', '--limit', 'lb-01');
        assert.equal(r.code, 0, r.out);
        await until(
          firing('CertificateExpiring', /through lb-01 expires in (9|10)\.\d days \(under 14\)/),
          90,
          inventory,
        );
      } finally {
        const back = cli(lab.inventoryPath, 'apply', '--limit', 'lb-01');
        assert.equal(back.code, 0, back.out);
      }
    });

    it('5. the exporters answer the monitor host only: closed from a web host and from outside, open from lb-01', async () => {
      const ports: Record<string, number[]> = {
        'lb-01': [9100, 8405],
        'web-01': [9100, 9113, 9104],
        'web-02': [9100, 9113, 9104],
      };
      const probe = (to: string, port: number) =>
        `timeout 3 bash -c '</dev/tcp/${address(to)}/${port}' 2>/dev/null && echo open || echo closed`;
      // From outside the site (this machine, an admin source for SSH only), all at once.
      const outside = Object.entries(ports).flatMap(([host, list]) =>
        list.map(
          async (port) => [`${host}:${port}`, await reachable(address(host), port)] as const,
        ),
      );
      assert.deepEqual(
        (await Promise.all(outside)).filter(([, open]) => open),
        [],
        'open from outside',
      );
      for (const [host, list] of Object.entries(ports))
        for (const port of list) {
          if (host !== 'web-01')
            assert.equal(
              (await sh('web-01', probe(host, port))).trim(),
              'closed',
              `${host}:${port} from web-01`,
            );
          assert.equal(
            (await sh('lb-01', probe(host, port))).trim(),
            'open',
            `${host}:${port} from lb-01`,
          );
        }
      // Nothing listens on every address; Prometheus, Alertmanager and the
      // blackbox exporter on localhost only, each exporter on its private address.
      const wildcard = /^(\*|0\.0\.0\.0|\[::\]):(9090|9093|9094|9100|9104|9113|9115|8405)$/m;
      for (const host of ['lb-01', 'web-01', 'web-02']) {
        const listening = await sh(host, "ss -ltnH | awk '{print $4}'");
        assert.doesNotMatch(listening, wildcard, `${host}:\n${listening}`);
        assert.match(listening, new RegExp(`^${address(host).replace(/\./g, '\\.')}:9100$`, 'm'));
        if (host === 'lb-01')
          for (const port of [9090, 9093, 9115])
            assert.match(listening, new RegExp(`^127\\.0\\.0\\.1:${port}$`, 'm'), `${port}`);
      }
    });

    it('5b. with alert_webhook_url: Alertmanager posts a firing alert to the webhook; the URL, a secret, only in its 0640 file', async () => {
      // The webhook: socat on lb-01's localhost, writing what it receives.
      const url = 'http://127.0.0.1:9199/hook/c4n4ry-webhook-token';
      const secret = path.join(work, 'webhook-url');
      fs.writeFileSync(secret, `${url}\n`, { mode: 0o600 });
      const inventory = path.join(work, 'webhook.yml');
      const text = fs.readFileSync(lab.inventoryPath, 'utf8');
      const edited = text.replace(
        /^all:\n {2}vars:\n/m,
        `all:\n  vars:\n    alert_webhook_url: { file: ${secret} }\n`,
      );
      assert.notEqual(edited, text);
      fs.writeFileSync(inventory, edited);
      await sh(
        'lb-01',
        'sudo rm -f /tmp/hook.log; (sudo setsid socat -u TCP-LISTEN:9199,bind=127.0.0.1,fork,reuseaddr OPEN:/tmp/hook.log,creat,append >/dev/null 2>&1 &)',
      );
      try {
        const r = cli(inventory, 'apply', '--limit', 'lb-01', '-vvv');
        assert.equal(r.code, 0, r.out);
        assert.ok(!r.out.includes('c4n4ry-webhook-token'), 'the URL in apply -vvv');
        assert.equal(
          (await sh('lb-01', 'sudo stat -c "%U %G %a" /etc/prometheus/alertmanager.yml')).trim(),
          'root prometheus 640',
        );
        await sh('web-01', 'sudo systemctl stop nginx');
        try {
          await until(firing('BackendDown', /web-01 DOWN/), 90, inventory);
          let got = '';
          for (let i = 0; i < 30 && !got.includes('BackendDown'); i++) {
            await new Promise((r) => setTimeout(r, 2000));
            got = await sh('lb-01', 'sudo cat /tmp/hook.log 2>/dev/null || true');
          }
          assert.match(got, /POST \/hook\/c4n4ry-webhook-token/);
          assert.match(got, /"alertname":"BackendDown"/);
        } finally {
          await sh('web-01', 'sudo systemctl start nginx');
        }
      } finally {
        await sh('lb-01', "sudo pkill -f 'socat -u TCP-LISTE[N]:9199' || true");
        const back = cli(lab.inventoryPath, 'apply', '--limit', 'lb-01');
        assert.equal(back.code, 0, back.out);
      }
      await until((a) => !a.some((x) => x.name === 'BackendDown'), 120);
    });

    it('6. a second apply changes nothing; diff exits 0', () => {
      const r = cli(lab.inventoryPath, 'apply');
      assert.equal(r.code, 0, r.out);
      assert.doesNotMatch(r.out, /changed=[1-9]/);
      const d = cli(lab.inventoryPath, 'diff');
      assert.equal(d.code, 0, d.out);
    });
  });
