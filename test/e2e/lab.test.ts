/**
 * The lab itself, on real hosts, for both flavours: hosts boot, are reachable
 * with strict host key checking, start bare, install packages from the local
 * repository only, have their own identities; up is idempotent, a clashing
 * subnet is refused, down leaves nothing behind and up works again.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  labDown,
  labPaths,
  labRoot,
  labStatus,
  labUp,
  type Flavor,
  type LabUpResult,
} from '../../src/lab';
import { bridgeName } from '../../src/lab/plan-names';
import { e2eFlavors, type E2eLab, useE2eLab } from '../support/lab';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'foobar-infra.js');

function cliRun(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** What strictSsh needs of a lab: its key, known_hosts and host addresses. */
type SshLab = Pick<E2eLab, 'knownHostsPath' | 'keyPath' | 'host'>;

/** A lab this file brought up itself, as strictSsh reads it. */
function ownLab(up: LabUpResult): SshLab {
  return {
    knownHostsPath: up.knownHostsPath,
    keyPath: up.keyPath,
    host: (name) => up.hosts.find((h) => h.name === name)!,
  };
}

/** The exact OpenSSH invocation a user would type, with the lab's generated files. */
function strictSsh(
  lab: SshLab,
  host: string,
  command: string,
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(
    'ssh',
    [
      '-F',
      '/dev/null',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${lab.knownHostsPath}`,
      '-o',
      'BatchMode=yes',
      '-i',
      lab.keyPath,
      `deploy@${lab.host(host).address}`,
      command,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function machine(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A route of the machine (not of a lab) in a range a lab could ask for: eth0's here. */
function machineRouteSubnet(): string | undefined {
  for (const line of machine('ip', ['-4', 'route', 'show']).split('\n')) {
    const m = /^(\d+\.\d+\.\d+\.\d+\/(\d+)) dev (\S+)/.exec(line);
    if (!m || m[3].startsWith('fbl-')) continue;
    const prefix = Number(m[2]);
    if (
      prefix >= 16 &&
      prefix <= 28 &&
      /^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.|192\.0\.2\.|100\.)/.test(m[1])
    ) {
      return m[1];
    }
  }
  return undefined;
}

const DB: Record<Flavor, { server: string; versionCommand: string; version: RegExp }> = {
  mysql: { server: 'mysql-server', versionCommand: 'sudo mysqld --version', version: /Ver 9\.\d+/ },
  mariadb: {
    server: 'mariadb-server',
    versionCommand: 'sudo mariadbd --version',
    version: /Ver 11\.8\./,
  },
};

for (const flavor of e2eFlavors()) {
  describe(`lab (${flavor} flavour)`, function () {
    let lab: E2eLab;

    before(async function () {
      lab = await useE2eLab(this, flavor);
      this.test?.parent?.timeout(10 * 60_000);
      await lab.reset();
    });

    it('every host answers `running` to sudo systemctl over ssh with strict host key checking', function () {
      for (const host of lab.hosts) {
        const r = strictSsh(lab, host.name, 'sudo systemctl is-system-running');
        assert.equal(r.stdout.trim(), 'running', `${host.name}: ${r.stdout}${r.stderr}`);
        assert.equal(r.code, 0);
      }
    });

    it('hosts start bare: haproxy and the database are not installed', async function () {
      for (const host of lab.hosts) {
        const r = await lab.ssh(host.name, 'dpkg -s haproxy');
        assert.notEqual(r.code, 0, `${host.name} already has haproxy`);
        const db = await lab.ssh(host.name, `dpkg -s ${DB[flavor].server}`);
        assert.notEqual(db.code, 0, `${host.name} already has ${DB[flavor].server}`);
      }
    });

    it('each host has its own hostname, machine id and ssh host key (the one in known_hosts)', async function () {
      const knownHosts = readFileSync(lab.knownHostsPath, 'utf8');
      const ids = new Set<string>();
      const keys = new Set<string>();
      for (const host of lab.hosts) {
        const r = await lab.ssh(
          host.name,
          'hostname; cat /etc/machine-id; cat /etc/ssh/ssh_host_ed25519_key.pub',
        );
        assert.equal(r.code, 0, r.stderr);
        const [hostname, machineId, pub] = r.stdout.trim().split('\n');
        assert.equal(hostname, host.name);
        assert.match(machineId, /^[0-9a-f]{32}$/);
        ids.add(machineId);
        const key = pub.split(' ').slice(0, 2).join(' ');
        assert.ok(
          knownHosts.includes(`${host.address},${host.name} ${key}`),
          `${host.name}'s key is not in known_hosts`,
        );
        keys.add(key);
      }
      assert.equal(ids.size, lab.hosts.length, 'machine ids are not unique');
      assert.equal(keys.size, lab.hosts.length, 'host keys are not unique');
    });

    it('hosts only reach the lab subnet: no default route, the lab repository is the only apt source', async function () {
      const r = await lab.ssh(
        lab.hosts[0].name,
        'ip -4 route show; echo ---; cat /etc/apt/sources.list; ls /etc/apt/sources.list.d',
      );
      assert.equal(r.code, 0, r.stderr);
      const [routes, sources] = r.stdout.split('---\n');
      assert.doesNotMatch(routes, /default/);
      assert.deepEqual(
        routes
          .trim()
          .split('\n')
          .map((l) => l.split(' ')[0]),
        [lab.subnet],
      );
      const debLines = sources.split('\n').filter((l) => l.startsWith('deb'));
      assert.deepEqual(debLines, ['deb [trusted=yes] file:/srv/foobar-lab-repo ./']);
    });

    it('apt-get installs haproxy offline from the local repository', async function () {
      this.timeout(5 * 60_000);
      const lb = lab.hosts[0].name;
      const r = await lab.ssh(
        lb,
        'sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy',
      );
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      const check = await lab.ssh(
        lb,
        'dpkg -s haproxy >/dev/null && sudo haproxy -v && systemctl is-active haproxy',
      );
      assert.equal(check.code, 0, check.stderr);
      assert.match(check.stdout, /HAProxy version/);
    });

    // The server as the site installs it (the site suites prove the first
    // apply itself): from the lab's checkpoint of the applied site.
    it(`${DB[flavor].server} on the web hosts of the applied site: the flavour's version, and each with its own server UUID (MySQL)`, async function () {
      this.timeout(15 * 60_000);
      const webs = lab.hosts.filter((h) => h.role === 'web').map((h) => h.name);
      await lab.resetToSite();
      const uuids = new Set<string>();
      for (const host of webs) {
        const version = await lab.ssh(host, DB[flavor].versionCommand);
        assert.match(
          version.stdout,
          DB[flavor].version,
          `${host}: ${version.stdout}${version.stderr}`,
        );
        // MariaDB has no server UUID; its GTIDs use server_id, which the inventory sets.
        const query = flavor === 'mysql' ? 'SELECT @@server_uuid' : 'SELECT VERSION()';
        const answer = await lab.ssh(host, `sudo mysql -N -e '${query}'`);
        assert.equal(answer.code, 0, answer.stderr);
        uuids.add(answer.stdout.trim());
      }
      if (flavor === 'mysql')
        assert.equal(uuids.size, webs.length, 'two hosts share a MySQL server UUID');
    });

    it('reset returns every host to bare', async function () {
      this.timeout(5 * 60_000);
      await lab.reset();
      for (const host of lab.hosts) {
        const r = await lab.ssh(host.name, `dpkg -s haproxy || dpkg -s ${DB[flavor].server}`);
        assert.notEqual(r.code, 0, `${host.name} still has packages after reset`);
        const running = await lab.ssh(host.name, 'systemctl is-system-running');
        assert.equal(running.stdout.trim(), 'running');
      }
    });

    it('checkpoint and reset --to: the disks come back as saved (files and deletions), per host; reset drops them; a replaced checkpoint frees its layers', async function () {
      this.timeout(5 * 60_000);
      const names = lab.hosts.map((h) => h.name);
      const all = async (command: string) =>
        Promise.all(names.map(async (h) => (await lab.ssh(h, command)).stdout.trim()));
      const state =
        'for f in /etc/foobar-cp-a /etc/foobar-cp-b /etc/motd; do test -e $f && echo $f; done | tr "\\n" " "';
      await all('echo a | sudo tee /etc/foobar-cp-a >/dev/null; sudo rm -f /etc/motd');
      const saved = cliRun(['lab', 'checkpoint', '--name', lab.name, 't1']);
      assert.equal(saved.code, 0, saved.stderr);
      assert.match(saved.stdout, new RegExp(`checkpoint t1 of ${names.join(', ')} saved`));
      // Saving powers the hosts off and boots them on the frozen layer: all there.
      assert.deepEqual(
        await all(state),
        names.map(() => '/etc/foobar-cp-a'),
      );
      await all('echo b | sudo tee /etc/foobar-cp-b /etc/motd >/dev/null');
      const back = cliRun(['lab', 'reset', '--name', lab.name, '--to', 't1', names[1]]);
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, /hosts are back at checkpoint t1/);
      const after = await all(state);
      assert.equal(after[1], '/etc/foobar-cp-a', 'the reset host is as saved');
      assert.equal(
        after[0],
        '/etc/foobar-cp-a /etc/foobar-cp-b /etc/motd',
        'the others keep their writes',
      );
      assert.match(
        cliRun(['lab', 'status', '--name', lab.name]).stdout,
        new RegExp(`checkpoint t1: ${names.join(', ')}`),
      );
      const unknown = cliRun(['lab', 'reset', '--name', lab.name, '--to', 'nope']);
      assert.notEqual(unknown.code, 0);
      assert.match(
        unknown.stderr,
        new RegExp(
          `lab ${lab.name} has no checkpoint "nope" \\(it has: ([a-z0-9_-]+, )*t1(, [a-z0-9_-]+)*\\)`,
        ),
      );
      // Power off and on keeps a checkpointed host's layers under its own writes.
      await lab.stop([names[1]]);
      await lab.start([names[1]]);
      assert.equal((await all(state))[1], '/etc/foobar-cp-a');
      const t1Layers = () =>
        Object.values(
          (
            JSON.parse(
              readFileSync(join(labPaths(labRoot(), lab.name).checkpoints, 't1.json'), 'utf8'),
            ) as { hosts: Record<string, string[]> }
          ).hosts,
        ).flat();
      const first = t1Layers();
      assert.equal(first.length, names.length);
      await lab.reset();
      assert.deepEqual(
        await all(state),
        names.map(() => '/etc/motd'),
        'bare again',
      );
      assert.ok(
        first.every((l) => existsSync(l)),
        'the checkpoint keeps its layers',
      );
      assert.equal(cliRun(['lab', 'checkpoint', '--name', lab.name, 't1']).code, 0);
      assert.ok(!first.some((l) => existsSync(l)), "the replaced checkpoint's layers are gone");
      assert.ok(t1Layers().every((l) => existsSync(l)));
      await lab.reset();
    });

    it('`lab status` and `lab ssh` work from the command line', function () {
      const status = cliRun(['lab', 'status', '--name', lab.name]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, new RegExp(`lab ${lab.name}: running`));
      for (const host of lab.hosts)
        assert.match(
          status.stdout,
          new RegExp(`${host.name}\\s+${host.address.replace(/\./g, '\\.')}\\s+up`),
        );
      const ok = cliRun(['lab', 'ssh', '--name', lab.name, lab.hosts[0].name, 'hostname']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout.trim(), lab.hosts[0].name);
      const failing = cliRun(['lab', 'ssh', '--name', lab.name, lab.hosts[0].name, 'exit 3']);
      assert.equal(failing.code, 3);
    });

    it('a second up on the running lab says so and changes nothing', async function () {
      const before = await labStatus(lab.name);
      const inventory = readFileSync(lab.inventoryPath, 'utf8');
      const again = await labUp({ name: lab.name, flavor, subnet: lab.subnet });
      assert.equal(again.alreadyRunning, true);
      const after = await labStatus(lab.name);
      assert.deepEqual(
        after.hosts.map((h) => [h.name, h.pid]),
        before.hosts.map((h) => [h.name, h.pid]),
      );
      assert.equal(readFileSync(lab.inventoryPath, 'utf8'), inventory);
      const cli = cliRun([
        'lab',
        'up',
        '--name',
        lab.name,
        '--flavor',
        flavor,
        '--subnet',
        lab.subnet,
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /already running/);
    });

    it('refuses a subnet that clashes with a route of the machine, naming it', async function () {
      // One name per flavour: the other flavour's copy of this test may run at the same time.
      const clash = flavor === 'mysql' ? 'e2e-clash' : 'e2e-clash-mdb';
      await assert.rejects(
        labUp({ name: clash, flavor, subnet: lab.subnet }),
        (e: Error) => /clashes with/.test(e.message) && e.message.includes(`dev fbl-`),
      );
      const own = machineRouteSubnet();
      if (own) {
        await assert.rejects(labUp({ name: clash, flavor, subnet: own }), (e: Error) =>
          e.message.includes(`"${own} dev`),
        );
      }
      const cli = cliRun(['lab', 'up', '--name', clash, '--subnet', lab.subnet]);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /clashes with/);
      assert.equal((await labStatus(clash)).state, 'absent');
    });

    // On a lab of its own: taking the shared lab down would also drop its
    // checkpoint of the applied site, which the suites after this one use.
    it('down leaves no namespace, link, mount, cgroup or checkpoint; up works again with the same host keys', async function () {
      this.timeout(5 * 60_000);
      const spec = {
        name: flavor === 'mysql' ? 'e2e-updown' : 'e2e-updown-mdb',
        flavor,
        subnet: flavor === 'mysql' ? '10.231.104.0/24' : '10.231.105.0/24',
        hosts: 2,
        progress: () => undefined,
      };
      try {
        const first = await labUp(spec);
        const own = ownLab(first);
        const knownHosts = readFileSync(first.knownHostsPath, 'utf8');
        assert.equal(cliRun(['lab', 'checkpoint', '--name', spec.name, 'before-down']).code, 0);
        const down = await labDown(spec.name);
        assert.equal(down.wasUp, true);
        const paths = labPaths(labRoot(), spec.name);
        const namespaces = machine('ip', ['netns', 'list'])
          .split('\n')
          .map((l) => l.split(' ')[0]);
        for (const host of first.hosts)
          assert.ok(!namespaces.includes(host.netns), `${host.netns} left`);
        const links = machine('ip', ['-o', 'link', 'show']);
        for (const host of first.hosts)
          assert.ok(
            !links.includes(`${host.veth}@`) && !links.includes(`${host.veth}:`),
            `${host.veth} left`,
          );
        assert.doesNotMatch(links, new RegExp(`: ${bridgeName(spec.name)}:`));
        assert.ok(
          // The folder itself, not another lab's whose name it prefixes.
          !readFileSync('/proc/mounts', 'utf8').includes(`${paths.dir}/`),
          'a mount of the lab is left',
        );
        assert.doesNotMatch(
          machine('sh', ['-c', 'ls /sys/fs/cgroup/*/foobar-lab 2>/dev/null || true']),
          new RegExp(`^${spec.name}$`, 'm'),
        );
        assert.equal((await labStatus(spec.name)).state, 'absent');
        for (const dir of [paths.layers, paths.checkpoints, paths.hosts])
          assert.ok(!existsSync(dir), `${dir} is left`);

        const up = await labUp(spec);
        assert.equal(up.alreadyRunning, false);
        assert.equal(readFileSync(up.knownHostsPath, 'utf8'), knownHosts);
        for (const host of up.hosts) {
          const r = strictSsh(own, host.name, 'systemctl is-system-running');
          assert.equal(r.stdout.trim(), 'running', `${host.name}: ${r.stdout}${r.stderr}`);
        }
      } finally {
        await labDown(spec.name);
      }
    });
  });
}
