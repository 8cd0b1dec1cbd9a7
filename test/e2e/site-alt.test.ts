import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { labDown, labUp, sshRun, type LabUpResult } from '../../src/lab';
import { BIN, ROOT } from '../support/cli';
import { httpFromHost, httpRequest as plainRequest } from '../support/http';
import { e2eSkipReason } from '../support/lab';

const LAB = { name: 'e2e-alt', subnet: '10.231.102.0/24', hosts: 'front,app-a,app-b,app-c' };

/** Issue 6, step 7: nothing is tied to the lab's names: other names, addresses and three web hosts. */
describe('e2e: the site on another inventory (front + three app hosts)', function () {
  let lab: LabUpResult | undefined;

  before(async function () {
    const reason = e2eSkipReason();
    if (reason) {
      if (process.env.CI === 'true') throw new Error(`e2e lab unavailable in CI: ${reason}`);
      this.skip();
    }
    this.timeout(20 * 60_000);
    lab = await labUp({ ...LAB, flavor: 'mysql', progress: () => undefined });
  });
  after(async () => {
    if (lab) await labDown(LAB.name, { progress: () => undefined });
  });

  it('applies from the inventory alone, balances across three web hosts, replicates to two replicas, converges', async function () {
    this.timeout(20 * 60_000);
    const apply = () =>
      spawnSync(process.execPath, [BIN, 'apply', '-i', lab!.inventoryPath], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    const httpRequest = (url: string, options: { method?: string; body?: string } = {}) =>
      plainRequest(url, { ...options, ca: lab!.caPath });
    const address = (name: string) => lab!.hosts.find((h) => h.name === name)!.address;
    const ssh = (host: string, command: string) =>
      sshRun(
        { address: address(host), keyPath: lab!.keyPath, knownHostsPath: lab!.knownHostsPath },
        command,
        { timeoutMs: 30_000 },
      );
    const first = apply();
    assert.equal(first.status, 0, first.stdout + first.stderr);
    const front = `https://${address('front')}`;
    let seen = new Set<string>();
    for (let i = 0; i < 60 && seen.size < 3; i++) {
      seen = new Set<string>();
      for (let j = 0; j < 6; j++) seen.add((await httpRequest(`${front}/`)).servedBy);
      if (seen.size < 3) await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual([...seen].sort(), ['app-a', 'app-b', 'app-c']);
    const post = (
      await httpRequest(`${front}/messages`, {
        method: 'POST',
        body: JSON.stringify({ text: 'alt inventory' }),
      })
    ).body;
    const { id } = JSON.parse(post) as { id: number };
    for (const replica of ['app-b', 'app-c']) {
      // Nginx answers the load balancer only (the firewall): asked from there.
      const url = `http://${address(replica)}/messages/${id}`;
      let r = await httpFromHost(ssh, 'front', url);
      for (let i = 0; i < 20 && r.status !== 200; i++) {
        await new Promise((res) => setTimeout(res, 250));
        r = await httpFromHost(ssh, 'front', url);
      }
      assert.equal(r.status, 200, `${replica}: ${r.body}`);
    }
    const again = apply();
    assert.equal(again.status, 0);
    assert.doesNotMatch(again.stdout, /changed=[1-9]/, again.stdout);
  });
});
