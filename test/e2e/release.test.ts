import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, runCli, codeBaseVersion } from '../support/cli';
import { httpRequest } from '../support/http';
import { useE2eLab, type E2eLab } from '../support/lab';

/**
 * Issue 22, the release module on real hosts: each version of the code base
 * in a folder of its own, `current` switched by a rename, the last
 * `releases_keep` kept, and a run killed in the middle leaves a whole
 * release serving.
 */
describe('e2e: the code base deployed as releases', function () {
  this.timeout(10 * 60_000);
  let lab: E2eLab;
  let work: string;
  let lb: string;
  const APP = '/opt/foobar';
  const sh = async (host: string, command: string) => (await lab.ssh(host, command)).stdout.trim();
  // The application folder is root's and the app's group's: read with sudo.
  const current = (host: string) => sh(host, `sudo readlink ${APP}/current`);
  const releases = async (host: string) =>
    (await sh(host, `sudo ls ${APP}/releases`)).split('\n').filter(Boolean).sort();
  const appCwd = async (host: string) => {
    assert.equal(
      await sh(host, 'systemctl is-active foobar-app'),
      'active',
      `the app runs on ${host}`,
    );
    const pid = await sh(host, 'systemctl show -p MainPID --value foobar-app');
    return sh(host, `sudo readlink /proc/${pid}/cwd`);
  };
  const changed = (out: string, host: string) =>
    Number(new RegExp(`^${host}\\s+: ok=\\d+ changed=(\\d+)`, 'm').exec(out)?.[1]);

  /** A copy of the project whose code base has `files` added or changed. */
  const version = (name: string, files: Record<string, string | Buffer>) =>
    codeBaseVersion(work, name, files);
  const apply = (playbook: string, ...more: string[]) => {
    const r = runCli(['apply', '-i', lab.inventoryPath, playbook, ...more]);
    return r;
  };
  const siteAnswers = async () => (await httpRequest(`https://${lb}/`, { ca: lab.caPath })).status;

  before(async function () {
    lab = await useE2eLab(this);
    await lab.resetToSite();
    lb = lab.host('lb-01').address;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-release-'));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('1. the first apply made one whole release per web host, `current` links to it, and the app runs from it', async () => {
    for (const host of ['web-01', 'web-02']) {
      const [id] = await releases(host);
      assert.match(id ?? '', /^[0-9a-f]{12}$/);
      assert.equal(await current(host), `releases/${id}`);
      assert.equal(await sh(host, `sudo cat ${APP}/releases/${id}/.foobar-release`), id);
      assert.equal(await sh(host, `sudo test -f ${APP}/current/server.js && echo yes`), 'yes');
      assert.match(await appCwd(host), new RegExp(`/releases/${id}$`));
    }
    assert.equal(await siteAnswers(), 200);
  });

  it('2. a new version is a new release: copied on the host, only the changed file sent, `current` switched, the app restarted on it; a second apply changes nothing', async () => {
    const before = await current('web-01');
    const playbook = version('v2', { VERSION: 'v2\n' });
    const r = apply(playbook, '--limit', 'web-01', '--diff');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /copy release [0-9a-f]{12} to [0-9a-f]{12} on the host/);
    // The task's line names what it did: one file sent, the marker, the switch.
    const line = /^changed: \[web-01\] The code base: (.*)$/m.exec(r.out)?.[1] ?? '';
    const sent = line
      .split('; ')
      .filter((c) => /^(create|update) /.test(c) && !c.endsWith('/.foobar-release'));
    assert.deepEqual(sent, [sent.find((c) => c.endsWith('/VERSION'))], r.out);
    const after = await current('web-01');
    assert.notEqual(after, before);
    assert.equal(await sh('web-01', `sudo cat ${APP}/current/VERSION`), 'v2');
    assert.deepEqual(await releases('web-01'), [before, after].map((t) => t.slice(9)).sort());
    assert.match(await appCwd('web-01'), new RegExp(`/${after}$`));
    assert.equal(await siteAnswers(), 200);
    const again = apply(playbook, '--limit', 'web-01');
    assert.equal(again.code, 0, again.out);
    assert.equal(changed(again.out, 'web-01'), 0, again.out);
  });

  it('3. after 7 deploys in a row, releases_keep (5) releases remain, the current and the previous among them, and the app runs the last (no start rate limit hit)', async () => {
    // Back to back, as a pipeline deploying commit after commit: more app
    // restarts than systemd's start rate limit allows (5 in 10 s).
    const playbooks = [3, 4, 5, 6, 7, 8, 9].map((i) => version(`v${i}`, { VERSION: `v${i}\n` }));
    let previous = '';
    for (const [i, playbook] of playbooks.entries()) {
      if (i === playbooks.length - 1) previous = await current('web-01');
      const r = apply(playbook, '--limit', 'web-01');
      assert.equal(r.code, 0, `deploy ${i + 1}: ${r.out}`);
    }
    const kept = await releases('web-01');
    assert.equal(kept.length, 5, kept.join(' '));
    assert.ok(kept.includes((await current('web-01')).slice(9)));
    assert.ok(kept.includes(previous.slice(9)));
    assert.equal(await sh('web-01', `sudo cat ${APP}/current/VERSION`), 'v9');
    assert.match(await appCwd('web-01'), new RegExp(`/${await current('web-01')}$`));
  });

  it('4. a run killed (SIGKILL) while it makes a release leaves the old whole release serving; the next apply completes it', async () => {
    const old = await current('web-01');
    // A large file keeps the run busy on the host long enough to be killed there.
    const playbook = version('v10', { VERSION: 'v10\n', 'big.bin': Buffer.alloc(192 << 20, 7) });
    const known = new Set(await releases('web-01'));
    const child = spawn(
      process.execPath,
      [BIN, 'apply', '-i', lab.inventoryPath, playbook, '--limit', 'web-01'],
      { cwd: ROOT, stdio: 'ignore' },
    );
    const exited = new Promise((res) => child.once('exit', res));
    // Watched on the host itself (every 10 ms): the run has made its release folder.
    await lab.ssh(
      'web-01',
      `for i in $(seq 6000); do [ "$(sudo ls ${APP}/releases | wc -l)" -gt ${known.size} ] && break; sleep 0.01; done`,
      { timeoutMs: 90_000 },
    );
    child.kill('SIGKILL');
    await exited;
    const made = (await releases('web-01')).find((r) => !known.has(r)) ?? '';
    assert.ok(made, 'the new release folder appeared');
    assert.equal(await current('web-01'), old, '`current` still points to the old release');
    assert.equal(
      await sh(
        'web-01',
        `sudo test -e ${APP}/releases/${made}/.foobar-release && echo whole || echo cut`,
      ),
      'cut',
    );
    assert.equal(await siteAnswers(), 200);
    const r = apply(playbook, '--limit', 'web-01');
    assert.equal(r.code, 0, r.out);
    assert.equal(await current('web-01'), `releases/${made}`);
    assert.equal(await sh('web-01', `sudo cat ${APP}/current/VERSION`), 'v10');
    const again = apply(playbook, '--limit', 'web-01');
    assert.equal(changed(again.out, 'web-01'), 0, again.out);
  });

  it("5. `releases` lists each web host's releases read from the host: the current one, the one before it, when each was made", async () => {
    const text = runCli(['releases', '-i', lab.inventoryPath]);
    assert.equal(text.code, 0, text.out);
    const web01 = (await current('web-01')).slice(9);
    assert.match(text.stdout, new RegExp(`^web-01  ${APP}$`, 'm'));
    assert.match(text.stdout, new RegExp(`^  \\* ${web01}  \\S+  current$`, 'm'));
    const json = runCli(['releases', '-i', lab.inventoryPath, '--format', 'json']);
    assert.equal(json.code, 0, json.out);
    const listed = JSON.parse(json.stdout) as {
      host: string;
      releases: { name: string; current: boolean; previous: boolean; completedAt?: string }[];
    }[];
    assert.deepEqual(
      listed.map((l) => l.host),
      ['web-01', 'web-02'],
    );
    for (const l of listed) {
      const onHost = await releases(l.host);
      assert.deepEqual(l.releases.map((r) => r.name).sort(), onHost, l.host);
      assert.equal(l.releases.find((r) => r.current)?.name, (await current(l.host)).slice(9));
    }
    // web-01's deploys above: the release before the current one is the one made just before it.
    const rows = listed.find((l) => l.host === 'web-01')!.releases;
    assert.equal(rows[0]!.current, true, 'the newest is current');
    assert.equal(rows[1]!.previous, true, 'the one before it is where a rollback goes');
  });
});
