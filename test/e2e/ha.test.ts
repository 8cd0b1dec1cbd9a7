import { strict as assert } from 'node:assert';
import { labDown, labUp, powerHosts, sshRun, type LabUpResult } from '../../src/lab';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { codeBaseVersion, runCli, runCliAsync } from '../support/cli';
import { httpRequest, requestLoop } from '../support/http';
import { e2eSkipReason } from '../support/lab';

const LAB = { name: 'e2e-ha', subnet: '10.231.103.0/24', hosts: 'lb-01,lb-02,web-01,web-02' };
const VIP = '10.231.103.10';

/** Issue 11: two load balancers share a virtual address (keepalived); one may die. */
describe('e2e: two load balancers behind one virtual address', function () {
  this.timeout(20 * 60_000);
  let lab: LabUpResult | undefined;

  const recap = (out: string, host: string) =>
    Number(new RegExp(`^${host}\\s+: ok=\\d+ changed=(\\d+)`, 'm').exec(out)?.[1]);
  const ssh = (host: string, command: string) =>
    sshRun(
      {
        address: lab!.hosts.find((h) => h.name === host)!.address,
        keyPath: lab!.keyPath,
        knownHostsPath: lab!.knownHostsPath,
      },
      command,
      { timeoutMs: 30_000 },
    );
  const holdsVip = async (host: string) =>
    (await ssh(host, 'ip -4 -o addr show dev eth0')).stdout.includes(` ${VIP}/`);
  const progress = () => undefined;

  before(async function () {
    const reason = e2eSkipReason();
    if (reason) {
      if (process.env.CI === 'true') throw new Error(`e2e lab unavailable in CI: ${reason}`);
      this.skip();
    }
    lab = await labUp({ ...LAB, flavor: 'mysql', progress });
  });
  after(async () => {
    if (lab) await labDown(LAB.name, { progress });
  });

  it('apply sets up keepalived on both; the first holds the virtual address; the site answers on it; a second apply changes nothing', async () => {
    const first = runCli(['apply', '-i', lab!.inventoryPath]);
    assert.equal(first.code, 0, first.out);
    const again = runCli(['apply', '-i', lab!.inventoryPath]);
    assert.equal(again.code, 0, again.out);
    for (const h of lab!.hosts) assert.equal(recap(again.out, h.name), 0, again.out);
    let holder = false;
    for (let i = 0; i < 40 && !holder; i++) {
      holder = await holdsVip('lb-01');
      if (!holder) await new Promise((res) => setTimeout(res, 250));
    }
    assert.ok(holder, 'lb-01 holds the virtual address');
    assert.equal(await holdsVip('lb-02'), false);
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await httpRequest(`https://${VIP}/`, { ca: lab!.caPath })).status;
      if (status !== 200) await new Promise((res) => setTimeout(res, 250));
    }
    assert.equal(status, 200);
    // HAProxy's checks bring each backend UP within a few intervals of the apply.
    let health = runCli(['status', '-i', lab!.inventoryPath]);
    for (let i = 0; i < 30 && health.code !== 0; i++) {
      await new Promise((res) => setTimeout(res, 1000));
      health = runCli(['status', '-i', lab!.inventoryPath]);
    }
    assert.equal(health.code, 0, health.out);
    assert.match(health.out, /haproxy running, keepalived running/);
    assert.match(
      health.out,
      new RegExp(`VIRTUAL ADDRESS +${VIP.replace(/\./g, '\\.')} held by lb-01\n`),
    );
  });

  it('the master lb powered off: a request loop on the virtual address fails for at most 5 s; lb-02 holds it', async () => {
    const results: { at: number; ok: boolean }[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        const at = Date.now();
        const r = await httpRequest(`https://${VIP}/healthz`, { ca: lab!.caPath });
        results.push({ at, ok: r.status === 200 });
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    await new Promise((res) => setTimeout(res, 2000));
    const stopped = Date.now();
    await powerHosts(LAB.name, ['lb-01'], 'off', { progress });
    await new Promise((res) => setTimeout(res, 15_000));
    running = false;
    await loop;
    // The longest stretch without a successful answer, from the last success before it.
    let worst = 0;
    let lastOk = results[0]!.at;
    for (const r of results) {
      if (r.ok) {
        worst = Math.max(worst, r.at - lastOk);
        lastOk = r.at;
      }
    }
    worst = Math.max(worst, results[results.length - 1]!.at - lastOk);
    process.stderr.write(
      `      (longest gap on the virtual address: ${(worst / 1000).toFixed(1)} s; lb-01 stopped at +${((stopped - results[0]!.at) / 1000).toFixed(1)} s)\n`,
    );
    assert.ok(
      results.some((r) => r.ok && r.at > stopped + 5000),
      'answers after the failover',
    );
    assert.ok(worst <= 5000, `the virtual address did not answer for ${worst} ms`);
    assert.ok(await holdsVip('lb-02'), 'lb-02 took the virtual address');
    // One load balancer left serves the site: degraded, not down.
    const health = runCli(['status', '-i', lab!.inventoryPath]);
    assert.equal(health.code, 1, health.out);
    assert.match(health.out, /lb-01 is unreachable/);
    assert.match(
      health.out,
      new RegExp(`VIRTUAL ADDRESS +${VIP.replace(/\./g, '\\.')} held by lb-02\n`),
    );
  });

  it('lb-01 back: it takes the address again, and apply changes nothing', async () => {
    await powerHosts(LAB.name, ['lb-01'], 'on', { progress });
    let holder = false;
    for (let i = 0; i < 60 && !holder; i++) {
      holder = await holdsVip('lb-01');
      if (!holder) await new Promise((res) => setTimeout(res, 250));
    }
    assert.ok(holder, 'lb-01 holds the virtual address again');
    const r = runCli(['apply', '-i', lab!.inventoryPath]);
    assert.equal(r.code, 0, r.out);
    for (const h of lab!.hosts) assert.equal(recap(r.out, h.name), 0, r.out);
  });

  it('a new version under a request loop on the virtual address: each web host drained on both load balancers and UP on both again; 0 failed requests', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-ha-deploy-'));
    try {
      const playbook = codeBaseVersion(work, 'v2', { VERSION: 'ha v2\n' });
      const loop = requestLoop(`https://${VIP}/`, { ca: lab!.caPath, pauseMs: 50 });
      const r = await runCliAsync(['apply', '-i', lab!.inventoryPath, playbook]);
      const { count, failures } = await loop.stop();
      process.stderr.write(
        `      request loop (apply): ${count} requests, ${failures.length} failed\n`,
      );
      assert.equal(r.code, 0, r.out);
      for (const web of ['web-01', 'web-02'])
        for (const lb of ['lb-01', 'lb-02'])
          assert.match(r.out, new RegExp(`note: \\[${web}\\] rollout: drained on ${lb}`), r.out);
      for (const lb of ['lb-01', 'lb-02']) {
        const stat = await ssh(
          lb,
          "echo 'show stat' | sudo socat stdio unix-connect:/run/haproxy/admin.sock | grep '^web,web-0' | cut -d, -f2,18",
        );
        assert.deepEqual(stat.stdout.trim().split('\n').sort(), ['web-01,UP', 'web-02,UP'], lb);
      }
      assert.ok(count > 20, `only ${count} requests`);
      assert.deepEqual(failures, [], `${failures.length} of ${count} requests failed`);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
