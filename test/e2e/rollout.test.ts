import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitCode } from '../../src/cli/exit-codes';
import { BIN, codeBaseVersion, ROOT, runCli, runCliAsync } from '../support/cli';
import { requestLoop } from '../support/http';
import { useE2eLab, type E2eLab } from '../support/lab';

/**
 * Issue 22 on real hosts: a health-gated rolling deploy. Each web host is
 * drained on HAProxy before it changes, must answer its health URL and be UP
 * in HAProxy again after its handlers; a broken version is switched back on
 * the first host and the rollout stops there. `rollback` goes back host by
 * host behind the same gate. A request loop through the load balancer runs
 * during each deploy and counts what failed.
 */
describe('e2e: health-gated rollout and rollback', function () {
  this.timeout(15 * 60_000);
  let lab: E2eLab;
  let work: string;
  let inventory: string;
  let lb: string;
  const APP = '/opt/foobar';
  /** Seconds the gate waits in this suite (the site's default is 30). */
  const GATE_S = 10;
  const sh = async (host: string, command: string) => (await lab.ssh(host, command)).stdout.trim();
  const current = async (host: string) => (await sh(host, `sudo readlink ${APP}/current`)).slice(9);
  const releases = async (host: string) =>
    (await sh(host, `sudo ls ${APP}/releases`)).split('\n').filter(Boolean).sort();
  const recap = (out: string, host: string) =>
    new RegExp(`^${host}\\s+: ok=\\d+ changed=(\\d+) unreachable=\\d+ failed=(\\d+).*$`, 'm').exec(
      out,
    );

  /** A copy of the project whose code base has `files` added or changed. */
  const version = (name: string, files: Record<string, string | Buffer>) =>
    codeBaseVersion(work, name, files);

  /** apply (or another run command) with a request loop through the lb around it. */
  const underLoad = async (args: string[], inv = inventory) => {
    const loop = requestLoop(`https://${lb}/`, { ca: lab.caPath, pauseMs: 50 });
    const r = await runCliAsync([...args, '-i', inv]);
    const { count, failures } = await loop.stop();
    // The figure the issue asks for: requests lost during a deploy.
    process.stderr.write(
      `      request loop (${args[0]}): ${count} requests, ${failures.length} failed\n`,
    );
    return { ...r, count, failures };
  };

  /** The lab's inventory with more variables for every host. */
  const inventoryWith = (name: string, vars: Record<string, string>) => {
    const file = path.join(work, `${name}.yml`);
    const more = Object.entries(vars)
      .map(([k, v]) => `\n    ${k}: ${JSON.stringify(v)}`)
      .join('');
    fs.writeFileSync(
      file,
      fs.readFileSync(inventory, 'utf8').replace(/^ {2}vars:$/m, `  vars:${more}`),
    );
    return file;
  };

  before(async function () {
    // Not about the database: it runs on the MariaDB flavour's lab, in the
    // test process that has more time to spare (test/support/shards.ts).
    lab = await useE2eLab(this, 'mariadb');
    await lab.resetToSite();
    lb = lab.host('lb-01').address;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-rollout-'));
    // The lab's inventory, with a shorter gate so that a broken version fails fast.
    inventory = path.join(work, 'inventory.yml');
    const text = fs.readFileSync(lab.inventoryPath, 'utf8');
    assert.match(text, /^ {2}vars:$/m);
    fs.writeFileSync(
      inventory,
      text.replace(/^ {2}vars:$/m, `  vars:\n    rollout_health_timeout: ${GATE_S}`),
    );
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  let good = '';
  let first = '';

  it('1. a new version under a request loop: each host drained, deployed, healthy and UP again; 0 failed requests; a second apply changes nothing', async () => {
    first = await current('web-01');
    const playbook = version('v2', { VERSION: 'v2\n' });
    const r = await underLoad(['apply', playbook]);
    assert.equal(r.code, 0, r.out);
    for (const host of ['web-01', 'web-02']) {
      assert.match(r.out, new RegExp(`note: \\[${host}\\] rollout: drained on lb-01`), r.out);
      assert.match(r.out, new RegExp(`note: \\[${host}\\] rollout: healthy .* in rotation`));
    }
    good = await current('web-01');
    assert.notEqual(good, first);
    assert.equal(await current('web-02'), good);
    assert.equal(await sh('web-02', `sudo cat ${APP}/current/VERSION`), 'v2');
    assert.ok(r.count > 20, `only ${r.count} requests`);
    assert.deepEqual(r.failures, [], `${r.failures.length} of ${r.count} requests failed`);
    const again = runCli(['apply', '-i', inventory, playbook]);
    assert.equal(again.code, 0, again.out);
    for (const host of ['web-01', 'web-02']) assert.equal(recap(again.out, host)?.[1], '0');
    assert.doesNotMatch(again.out, /rollout:/, 'a converged run drains nothing');
  });

  const broken = {
    'answers 500 on its health URL': [
      "require('http')",
      '  .createServer((q, s) => { s.statusCode = 500; s.end("broken\\n"); })',
      '  .listen(Number(process.env.APP_PORT), process.env.APP_HOST);',
      '',
    ].join('\n'),
    'exits at start': "console.error('cannot start'); process.exit(1);\n",
  };

  for (const [i, [what, serverJs]] of Object.entries(broken).entries()) {
    it(`${i + 2}. a broken version (${what}): web-01 is switched back and healthy, web-02 is not touched, the run fails and the recap says so`, async () => {
      const web02 = await releases('web-02');
      const playbook = version(`broken-${i}`, { 'server.js': serverJs, VERSION: `broken ${i}\n` });
      const r = await underLoad(['apply', playbook]);
      assert.equal(r.code, ExitCode.HOST_FAILED, r.out);
      assert.match(r.out, /stopping: the rollout stopped at a failed host/);
      const line = /^web-01\s+: .*$/m.exec(r.out)?.[0] ?? '';
      assert.match(line, new RegExp(`failed=1 .*rolled back to release ${good}$`), r.out);
      assert.match(r.out, /failed: \[web-01\] rollout health gate\n {2}\S+ answered 5\d\d after/);
      assert.equal(await current('web-01'), good, 'web-01 is back on the good release');
      assert.equal(await sh('web-01', `sudo cat ${APP}/current/VERSION`), 'v2');
      assert.equal(await sh('web-01', 'systemctl is-active foobar-app'), 'active');
      // Asked on the host (the firewall lets only the lb reach port 80).
      const health = "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1/healthz";
      assert.equal(await sh('web-01', health), '200');
      assert.deepEqual(await releases('web-02'), web02, 'web-02 got no new release');
      assert.equal(await current('web-02'), good);
      assert.equal(recap(r.out, 'web-02')?.[1], '0', 'nothing changed on web-02');
      // web-01 was drained before it changed and set ready only once healthy again.
      assert.deepEqual(r.failures, [], `${r.failures.length} of ${r.count} requests failed`);
      const stat = await sh(
        'lb-01',
        `echo 'show stat' | sudo socat stdio unix-connect:/run/haproxy/admin.sock | grep '^web,web-01,' | cut -d, -f18`,
      );
      assert.equal(stat, 'UP', 'web-01 is back in rotation');
    });
  }

  it('4. rollback after a good deploy: both hosts back on the earlier release, host by host behind the gate, 0 failed requests; `releases` shows it', async () => {
    const playbook = version('v3', { VERSION: 'v3\n' });
    const deployed = runCli(['apply', '-i', inventory, playbook]);
    assert.equal(deployed.code, 0, deployed.out);
    const v3 = await current('web-01');
    assert.notEqual(v3, good);
    const dry = runCli(['rollback', '-i', inventory, playbook, '--check']);
    assert.equal(dry.code, 0, dry.out);
    assert.match(dry.out, new RegExp(`releases/${good}`), dry.out);
    assert.equal(await current('web-01'), v3, '--check switches nothing');
    const r = await underLoad(['rollback', playbook]);
    assert.equal(r.code, 0, r.out);
    for (const host of ['web-01', 'web-02']) {
      assert.equal(await current(host), good, host);
      assert.equal(await sh(host, `sudo cat ${APP}/current/VERSION`), 'v2');
      assert.match(r.out, new RegExp(`note: \\[${host}\\] rollout: healthy`));
    }
    assert.deepEqual(r.failures, [], `${r.failures.length} of ${r.count} requests failed`);
    const listed = runCli(['releases', '-i', inventory, '--format', 'json']);
    const rows = JSON.parse(listed.stdout) as {
      host: string;
      releases: { name: string; current: boolean }[];
    }[];
    for (const l of rows) assert.equal(l.releases.find((x) => x.current)?.name, good, l.host);
    // --to goes to a named release; an unknown one is refused before anything changes.
    const to = runCli(['rollback', '-i', inventory, playbook, '--to', v3, '--limit', 'web-01']);
    assert.equal(to.code, 0, to.out);
    assert.equal(await current('web-01'), v3);
    const unknown = runCli(['rollback', '-i', inventory, playbook, '--to', 'abcdef012345']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.out, /no whole release abcdef012345/);
    assert.equal(await current('web-02'), good);
  });

  // What the migration saw, one line per run: where it ran, as whom, with
  // which environment, and what `current` was then.
  const LOG = '/var/tmp/foobar-migrations';
  const MIGRATE_SH = [
    'echo "$(cat VERSION) $(id -un) ${DB_NAME:-no-env} $(pwd) $(readlink /opt/foobar/current)" >> ' +
      LOG,
    '',
  ].join('\n');

  it('5. a migration command runs once, on the first web host, in the new release as the app user with its environment, before any host switches', async () => {
    await lab.ssh('web-01', `sudo rm -f ${LOG}`);
    await lab.ssh('web-02', `sudo rm -f ${LOG}`);
    await lab.ssh('web-01', `sudo install -m 0666 /dev/null ${LOG}`);
    const before = await current('web-01');
    const inv = inventoryWith('migrate', { app_migrate_command: 'sh migrate.sh' });
    const playbook = version('v4', { VERSION: 'v4\n', 'migrate.sh': MIGRATE_SH });
    const r = runCli(['apply', '-i', inv, playbook]);
    assert.equal(r.code, 0, r.out);
    const v4 = await current('web-01');
    const lines = (await sh('web-01', `cat ${LOG}`)).split('\n');
    assert.equal(lines.length, 1, lines.join('\n'));
    const [version4, user, db, cwd, then] = lines[0]!.split(' ');
    assert.deepEqual(
      [version4, user, cwd, then],
      ['v4', 'foobar', `${APP}/releases/${v4}`, `releases/${before}`],
    );
    assert.notEqual(db, 'no-env', "the app's environment was read");
    assert.equal(await sh('web-02', `test -e ${LOG} && echo ran || echo none`), 'none');
    assert.equal(await current('web-02'), v4);
    const again = runCli(['apply', '-i', inv, playbook]);
    assert.equal(again.code, 0, again.out);
    assert.equal((await sh('web-01', `cat ${LOG}`)).split('\n').length, 1, 'not again');
  });

  it('6. a migration that fails: no host switches, the rollout stops at the first host, and the site keeps serving', async () => {
    const before = await current('web-01');
    const web02 = await releases('web-02');
    const inv = inventoryWith('migrate-fails', {
      app_migrate_command: 'echo schema refused >&2; exit 3',
    });
    const playbook = version('v5', { VERSION: 'v5\n' });
    const r = await underLoad(['apply', playbook], inv);
    assert.equal(r.code, ExitCode.HOST_FAILED, r.out);
    assert.match(r.out, /schema refused/);
    assert.match(r.out, /stopping: the rollout stopped at a failed host/);
    assert.equal(await current('web-01'), before, 'web-01 did not switch');
    assert.deepEqual(await releases('web-02'), web02, 'web-02 untouched');
    assert.deepEqual(r.failures, [], `${r.failures.length} of ${r.count} requests failed`);
  });

  it('7. the tool killed (SIGKILL) while web-01 is drained: HAProxy keeps it drained, the next apply completes the deploy and puts it back in rotation', async () => {
    const stat = () =>
      sh(
        'lb-01',
        `echo 'show stat' | sudo socat stdio unix-connect:/run/haproxy/admin.sock | grep '^web,web-01,' | cut -d, -f18`,
      );
    // A large file keeps web-01 busy (drained) long enough to be killed there.
    const playbook = version('v6', { VERSION: 'v6\n', 'big.bin': Buffer.alloc(128 << 20, 6) });
    const child = spawn(process.execPath, [BIN, 'apply', '-i', inventory, playbook], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const exited = new Promise((res) => child.once('exit', res));
    await lab.ssh(
      'lb-01',
      `for i in $(seq 3000); do echo 'show stat' | sudo socat stdio unix-connect:/run/haproxy/admin.sock | grep -q '^web,web-01,.*,DRAIN,' && break; sleep 0.02; done`,
      { timeoutMs: 90_000 },
    );
    child.kill('SIGKILL');
    await exited;
    assert.equal(await stat(), 'DRAIN', 'left drained by the killed run');
    const r = await underLoad(['apply', playbook]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /\[web-01\] rollout: an earlier run drained this host and stopped/);
    assert.equal(await stat(), 'UP');
    assert.equal(await sh('web-02', `sudo cat ${APP}/current/VERSION`), 'v6');
    assert.deepEqual(r.failures, [], `${r.failures.length} of ${r.count} requests failed`);
  });
});
