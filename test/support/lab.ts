/**
 * The e2e suites' lab: real hosts, brought up lazily once per process and
 * flavour, torn down by the root `afterAll` hook (root-hooks.ts) even when
 * tests fail. Its own lab names and subnets keep it apart from a user's demo
 * lab (`default`, 10.231.0.0/24).
 *
 * Policy: with CI=true a suite that cannot get its lab fails with the reason;
 * elsewhere, without root or Linux, suites skip with one line saying why.
 *
 * Each suite's `before` puts the hosts in the state it needs (`reset`,
 * `resetToSite`); no suite hands them back in `after`, where a reset would be
 * thrown away by the next suite's own. A suite leaves every host running
 * (a reset needs them up).
 */
import {
  FLAVOR_NAMES,
  labDown,
  labStatus,
  labUnsupportedReason,
  labUp,
  powerHosts,
  resetLab,
  saveCheckpoint,
  sshRun,
  type Flavor,
  type LabDownResult,
  type LabHost,
  type LabTimings,
  type LabUpResult,
  type SshResult,
} from '../../src/lab';
import { runCli } from './cli';
import { httpRequest } from './http';

export interface E2eLabSpec {
  name: string;
  subnet: string;
}

/** One lab per flavour, so suites of both flavours can interleave without rebuilding. */
export const E2E_LABS: Readonly<Record<Flavor, E2eLabSpec>> = {
  mysql: { name: 'e2e', subnet: '10.231.100.0/24' },
  mariadb: { name: 'e2e-mariadb', subnet: '10.231.101.0/24' },
};

export interface E2eLab {
  name: string;
  flavor: Flavor;
  subnet: string;
  hosts: LabHost[];
  inventoryPath: string;
  keyPath: string;
  knownHostsPath: string;
  /** The lab CA: the site's certificate (and the database ones) are signed by it. */
  caPath: string;
  /** Timings of the `lab up` that made this lab (image build when cold, boot). */
  timings: LabTimings;
  host(name: string): LabHost;
  /** A shell command line on a host as deploy (OpenSSH, strict host key checking). */
  ssh(host: string, command: string, options?: { timeoutMs?: number }): Promise<SshResult>;
  /**
   * The run's output, followed by what each host with a failed task logged
   * (database error log, the journal's end), so that a failure seen once in
   * CI can be understood afterwards.
   */
  explain(out: string): Promise<string>;
  /** Every host (or the given ones) back to bare: stop, drop the overlay, boot. */
  reset(hosts?: readonly string[]): Promise<void>;
  /**
   * Every host back to the whole site applied, as `apply` leaves it: from
   * the lab's checkpoint `site`, which the first call in this process makes
   * by applying the site to bare hosts. For suites that need a converged
   * site, not the first apply (which the site and first-apply suites test).
   */
  resetToSite(): Promise<void>;
  /**
   * Saves the hosts as they are as the checkpoint `site`, for the suite that
   * has just applied the whole site to bare hosts (the site suite's first
   * apply): later `resetToSite()` calls restore it instead of making their
   * own. The hosts are then back up on the checkpoint, as after
   * `resetToSite()`. Only a speed-up: without it the first `resetToSite()`
   * makes the checkpoint itself.
   */
  keepAsSite(): Promise<void>;
  /** Powers hosts off, keeping their disks (`lab stop`); `start` boots them from their disks. */
  stop(hosts: readonly string[]): Promise<string[]>;
  start(hosts: readonly string[]): Promise<string[]>;
  /** Takes the lab down (tests of `lab down`); `up()` brings it back. */
  down(): Promise<LabDownResult>;
  up(): Promise<LabUpResult>;
}

const labs = new Map<Flavor, Promise<E2eLab>>();
let toldSkip = false;

function progress(line: string): void {
  // Only what explains a wait: builds, repairs, problems.
  if (/^(starting|resetting|stopping) /.test(line)) return;
  process.stderr.write(`      lab: ${line}\n`);
}

async function bringUp(flavor: Flavor): Promise<LabUpResult> {
  const spec = E2E_LABS[flavor];
  const result = await labUp({ name: spec.name, flavor, subnet: spec.subnet, progress });
  // A lab left running by an earlier, interrupted run may hold installed packages.
  if (result.alreadyRunning) return { ...result, ...(await resetLab(spec.name, { progress })) };
  return result;
}

function handle(flavor: Flavor, first: LabUpResult): E2eLab {
  const spec = E2E_LABS[flavor];
  let current = first;
  /** The checkpoint `site` exists in this lab (made by this process). */
  let siteSaved = false;
  const applySite = async (what: string) => {
    const r = runCli(['apply', '-i', current.inventoryPath]);
    if (r.code !== 0)
      throw new Error(`${what}: apply exited ${r.code}\n${await lab.explain(r.out)}`);
  };
  const restoreSite = async () => {
    // The primary first: a replica that starts before its source waits a
    // whole connect retry (60 s) before it tries again.
    const primaries = current.hosts.filter((h) => h.mysqlRole === 'primary').map((h) => h.name);
    const others = current.hosts.map((h) => h.name).filter((h) => !primaries.includes(h));
    await resetLab(spec.name, { hosts: primaries, to: 'site', progress });
    await resetLab(spec.name, { hosts: others, to: 'site', progress });
    // A restarted primary comes back read-only by design; apply makes it writable again.
    await applySite('the site from its checkpoint');
    await everyBackendUp(current);
  };
  const keepAsSite = async () => {
    await saveCheckpoint(spec.name, 'site', { progress });
    siteSaved = true;
    await restoreSite();
  };
  const find = (name: string): LabHost => {
    const host = current.hosts.find((h) => h.name === name || h.address === name);
    if (!host) throw new Error(`lab ${spec.name} has no host ${name}`);
    return host;
  };
  const lab: E2eLab = {
    name: spec.name,
    flavor,
    subnet: spec.subnet,
    hosts: current.hosts,
    inventoryPath: current.inventoryPath,
    keyPath: current.keyPath,
    knownHostsPath: current.knownHostsPath,
    caPath: current.caPath,
    timings: current.timings,
    host: find,
    ssh: (host, command, options = {}) =>
      sshRun(
        {
          address: find(host).address,
          keyPath: current.keyPath,
          knownHostsPath: current.knownHostsPath,
        },
        command,
        { timeoutMs: options.timeoutMs ?? 10 * 60_000 },
      ),
    explain: async (out) => {
      const failed = current.hosts.filter((h) => out.includes(`failed: [${h.name}]`));
      const parts = [out];
      for (const h of failed) {
        const r = await lab
          .ssh(
            h.name,
            'sudo sh -c "tail -n 40 /var/log/mysql/error.log 2>/dev/null; journalctl -n 60 --no-pager"',
            { timeoutMs: 30_000 },
          )
          .catch((e: Error) => ({ stdout: `(could not read: ${e.message})`, stderr: '' }));
        parts.push(`--- ${h.name}: logs after the failure ---\n${r.stdout}${r.stderr}`);
      }
      return parts.join('\n');
    },
    reset: async (hosts) => {
      await resetLab(spec.name, { hosts, progress });
    },
    resetToSite: async () => {
      if (!siteSaved) {
        await resetLab(spec.name, { progress });
        await applySite('the site on bare hosts, for the checkpoint');
        return keepAsSite();
      }
      await restoreSite();
    },
    keepAsSite: () => keepAsSite(),
    stop: (hosts) => powerHosts(spec.name, hosts, 'off', { progress }),
    start: (hosts) => powerHosts(spec.name, hosts, 'on', { progress }),
    down: () => {
      siteSaved = false;
      return labDown(spec.name, { progress });
    },
    up: async () => {
      current = await labUp({ name: spec.name, flavor, subnet: spec.subnet, progress });
      lab.hosts = current.hosts;
      return current;
    },
  };
  return lab;
}

/**
 * Waits until the load balancer serves from every web host: after a reboot
 * HAProxy needs its health checks (rise 2 × 2 s) before a backend is UP.
 */
async function everyBackendUp(lab: LabUpResult): Promise<void> {
  const lb = lab.hosts.find((h) => h.role === 'lb');
  const web = lab.hosts.filter((h) => h.role === 'web').map((h) => h.name);
  if (!lb || web.length === 0) return;
  const seen = new Set<string>();
  for (let i = 0; i < 120 && seen.size < web.length; i++) {
    const r = await httpRequest(`https://${lb.address}/healthz`, { ca: lab.caPath });
    if (r.status === 200) seen.add(r.servedBy);
    if (seen.size < web.length) await new Promise((res) => setTimeout(res, 250));
  }
  if (seen.size < web.length)
    throw new Error(
      `the load balancer serves from ${[...seen].join(', ') || 'no host'}, not every web host (${web.join(', ')})`,
    );
}

/** The e2e lab of a flavour, brought up on first use in this process. */
export function e2eLab(flavor: Flavor = 'mysql'): Promise<E2eLab> {
  let lab = labs.get(flavor);
  if (!lab) {
    lab = bringUp(flavor).then((result) => handle(flavor, result));
    // A failed start is not cached: the next suite tries again (and reports its own failure).
    lab.catch(() => labs.delete(flavor));
    labs.set(flavor, lab);
  }
  return lab;
}

/**
 * The flavours whose e2e lab this process may use: both, unless `npm test`
 * (scripts/test.js) split the suites over processes, each with its own labs
 * (FOOBAR_E2E_FLAVORS; test/support/shards.ts). Suites that run once per
 * flavour loop over this list.
 */
export function e2eFlavors(): Flavor[] {
  const set = process.env.FOOBAR_E2E_FLAVORS;
  if (set === undefined) return [...FLAVOR_NAMES];
  const wanted = set.split(',').filter((f) => f !== '');
  const unknown = wanted.filter((f) => !FLAVOR_NAMES.includes(f as Flavor));
  if (unknown.length > 0)
    throw new Error(`FOOBAR_E2E_FLAVORS: unknown flavour ${unknown.join(', ')}`);
  return wanted as Flavor[];
}

/** Why e2e lab tests cannot run here, or undefined when they can. */
export function e2eSkipReason(): string | undefined {
  return labUnsupportedReason();
}

/**
 * For a suite's `before` hook: the lab, or a skip (outside CI) / failure (in
 * CI) with the reason. Raises the hook's timeout for a cold image build.
 */
export async function useE2eLab(ctx: Mocha.Context, flavor: Flavor = 'mysql'): Promise<E2eLab> {
  const reason = e2eSkipReason();
  if (reason) {
    if (process.env.CI === 'true') throw new Error(`e2e lab unavailable in CI: ${reason}`);
    if (!toldSkip) process.stderr.write(`  skipping lab (e2e) suites: ${reason}\n`);
    toldSkip = true;
    ctx.skip();
  }
  const mine = e2eFlavors();
  if (!mine.includes(flavor))
    throw new Error(
      `this test process may use the e2e labs of ${mine.join(', ') || 'no flavour'}, not ${flavor}'s: another process owns it (test/support/shards.ts)`,
    );
  ctx.timeout(20 * 60_000);
  return e2eLab(flavor);
}

/** Takes down every e2e lab this process started (root afterAll hook). */
export async function teardownE2eLabs(): Promise<void> {
  const flavors = [...labs.keys()];
  labs.clear();
  const failures: string[] = [];
  for (const flavor of flavors) {
    const name = E2E_LABS[flavor].name;
    try {
      const status = await labStatus(name);
      if (status.state !== 'absent') await labDown(name, { progress });
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length > 0) throw new Error(`could not take down e2e labs: ${failures.join('; ')}`);
}
