/** `lab up`: make sure the image and repository exist, then boot the hosts. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EnvironmentError, UsageError } from '../core/errors';
import { FLAVORS, parseFlavor, type Flavor } from './flavors';
import { renderKnownHosts } from './host-files';
import { bootHost, createHostNetwork, waitForHost, type HostContext } from './host-lifecycle';
import { ensureImage } from './image';
import { renderInventory } from './inventory-file';
import { ensureKeyPair } from './keys';
import { labInfo, type LabTimings, type LabUpResult } from './lab-info';
import { inspectLab } from './lab-health';
import { teardownLab } from './lab-teardown';
import { ensureDir, writeFileAtomic } from './local-files';
import { withLock } from './lock';
import {
  assertLabSupported,
  checkKernelFeatures,
  debianMirror,
  ensureMachinePackages,
  type Progress,
} from './machine';
import { isMountPoint, removeTree } from './mounts';
import { createBridge, linkExists, netnsExists, readRoutes } from './network';
import { hostPaths, labPaths, labRoot, type LabPaths } from './paths';
import {
  bridgeName,
  hostNamesFromOption,
  planHosts,
  validateLabName,
  type HostPlan,
} from './plan-names';
import { currentBootId } from './processes';
import type { Readiness } from './readiness';
import { allSettledOrThrow } from './parallel';
import { ensureRepo } from './repo';
import { imageId, imageRecipe, repoId, repoRecipe } from './recipe';
import { findRouteClashes } from './routes';
import { ensureSecrets } from './secrets';
import { readState, StateStore, STATE_VERSION, type LabState } from './state';
import { DEFAULT_SUBNET, gatewayAddress, parseSubnet, virtualAddress, type Subnet } from './subnet';
import { ensureLabTls, inventoryTls, planLabTls, type LabTlsPlan } from './tls';

export interface LabUpOptions {
  /** Lab name (default `default`): labs have separate state, bridges and namespaces. */
  name?: string;
  flavor?: Flavor;
  /** A number of hosts, or host names (comma-separated or an array); the first is the lb. */
  hosts?: string | number | readonly string[];
  subnet?: string;
  /** Folder of images, repositories and labs (default /var/lib/foobar-infra/lab). */
  root?: string;
  /** Also write the inventory here (the CLI passes inventories/lab.yml for the default lab). */
  copyInventoryTo?: string;
  /** How long each host may take to boot (default 120 s). */
  bootTimeoutMs?: number;
  progress?: Progress;
}

const DEFAULT_BOOT_TIMEOUT_MS = 120_000;

function sameHosts(a: readonly HostPlan[], b: readonly HostPlan[]): boolean {
  return a.length === b.length && a.every((h, i) => h.name === b[i].name);
}

/** What differs between a running lab and what was asked for. */
export function differences(
  state: LabState,
  flavor: Flavor,
  subnet: Subnet,
  hosts: readonly HostPlan[],
): string[] {
  const diffs: string[] = [];
  if (state.flavor !== flavor) diffs.push(`flavour ${state.flavor}, not ${flavor}`);
  if (state.subnet !== subnet.cidr) diffs.push(`subnet ${state.subnet}, not ${subnet.cidr}`);
  if (!sameHosts(state.hosts, hosts)) {
    diffs.push(
      `hosts ${state.hosts.map((h) => h.name).join(',')}, not ${hosts.map((h) => h.name).join(',')}`,
    );
  }
  // A lab booted by an older version of the tool: its image or package
  // repository lacks what the site installs now (e.g. a new package).
  if (state.flavor === flavor) {
    const spec = FLAVORS[flavor];
    const image = imageId(imageRecipe(spec));
    const repo = repoId(repoRecipe(spec, image));
    if (state.imageId !== image || state.repoId !== repo)
      diffs.push(
        `an image or package repository of an older recipe (${state.repoId}, now ${repo})`,
      );
  }
  return diffs;
}

async function refuseClashingSubnet(subnet: Subnet, bridge: string): Promise<void> {
  const clashes = findRouteClashes(await readRoutes(), subnet, bridge);
  if (clashes.length === 0) return;
  // Name the routes people know (the main table) before local and broadcast entries.
  const main = clashes.filter((c) => c.type === 'unicast' && c.table === undefined);
  const shown = main.length > 0 ? main : clashes;
  const labBridge = shown.find((c) => c.dev?.startsWith('fbl-'))
    ? ' (a bridge of another foobar-infra lab)'
    : '';
  throw new UsageError(
    `subnet ${subnet.cidr} clashes with ${shown.length === 1 ? 'a route' : 'routes'} on this machine: ` +
      `${shown.map((c) => `"${c.line}"`).join(', ')}${labBridge}; choose another with --subnet`,
  );
}

/** Network objects with the lab's names that the lab did not record: leftovers it must not touch. */
async function refuseForeignObjects(bridge: string, hosts: readonly HostPlan[]): Promise<void> {
  const found: string[] = [];
  if (await linkExists(bridge)) found.push(`link ${bridge} (ip link delete ${bridge})`);
  for (const h of hosts) {
    if (await linkExists(h.veth)) found.push(`link ${h.veth} (ip link delete ${h.veth})`);
    if (netnsExists(h.netns))
      found.push(`network namespace ${h.netns} (ip netns delete ${h.netns})`);
  }
  if (found.length > 0) {
    throw new EnvironmentError(
      `these already exist but are not recorded by the lab; remove them if they are leftovers: ${found.join('; ')}`,
      'check network names',
    );
  }
}

interface LabFilesInput {
  paths: LabPaths;
  name: string;
  flavor: Flavor;
  subnet: Subnet;
  hosts: readonly HostPlan[];
  tls: LabTlsPlan;
  copyInventoryTo: string | undefined;
  progress: Progress;
}

/** Key, host keys, known_hosts, secrets, TLS files and inventory: kept across up and down. */
async function writeLabFiles(input: LabFilesInput): Promise<string> {
  const { paths, name, flavor, hosts, copyInventoryTo } = input;
  ensureDir(paths.dir, 0o755);
  const authorizedKey = await ensureKeyPair(paths.key, `foobar-infra-lab-${name}`);
  const entries = [];
  for (const host of hosts) {
    const keyPath = hostPaths(paths, host.name).hostKey;
    const publicKey = await ensureKeyPair(keyPath, `root@${host.name}`);
    entries.push({ names: [host.address, host.name], publicKey });
  }
  writeFileAtomic(paths.knownHosts, renderKnownHosts(entries));
  const secrets = ensureSecrets(paths.secrets);
  const tls = await ensureLabTls(input.tls);
  if (tls.made.length > 0) input.progress(`TLS: made ${tls.made.join(', ')}`);
  const inventory = renderInventory({
    labName: name,
    flavor,
    keyPath: paths.key,
    knownHostsPath: paths.knownHosts,
    secrets,
    tls: inventoryTls(input.tls),
    gateway: gatewayAddress(input.subnet),
    virtualIp: labVirtualIp(hosts, input.subnet),
    hosts,
  });
  writeFileAtomic(paths.inventory, inventory);
  if (copyInventoryTo) {
    const current = existsSync(copyInventoryTo) ? readFileSync(copyInventoryTo, 'utf8') : undefined;
    if (current !== inventory) {
      ensureDir(dirname(copyInventoryTo));
      writeFileAtomic(copyInventoryTo, inventory);
    }
  }
  return authorizedKey;
}

/** A lab as `lab up` is asked for it: checked, nothing changed yet. */
interface LabPlan {
  name: string;
  flavor: Flavor;
  subnet: Subnet;
  hosts: HostPlan[];
  root: string;
  paths: LabPaths;
  bridge: string;
  tls: LabTlsPlan;
}

function planLab(options: LabUpOptions): LabPlan {
  const name = validateLabName(options.name);
  const flavor = parseFlavor(options.flavor);
  const subnet = parseSubnet(options.subnet ?? DEFAULT_SUBNET);
  const hosts = planHosts(name, hostNamesFromOption(options.hosts), subnet);
  assertLabSupported('lab up');
  const root = labRoot(options.root);
  const paths = labPaths(root, name);
  const tls = planLabTls(name, paths.tls, hosts, labVirtualIp(hosts, subnet));
  return { name, flavor, subnet, hosts, root, paths, bridge: bridgeName(name), tls };
}

export async function labUp(options: LabUpOptions = {}): Promise<LabUpResult> {
  const started = Date.now();
  const progress: Progress = options.progress ?? (() => undefined);
  const plan = planLab(options);
  // Checks that change nothing come first: a refused lab leaves no trace.
  const installedPackages = await ensureMachinePackages(progress);
  await checkKernelFeatures();
  raiseInotifyLimits(plan.hosts.length, progress);
  await refuseClashingSubnet(plan.subnet, plan.bridge);
  ensureDir(plan.paths.dir);
  return withLock(
    plan.paths.lock,
    `lab ${plan.name}`,
    async () => {
      const running = await runningOrRepaired(plan, progress);
      if (running.result) return { ...running.result, timings: { totalMs: Date.now() - started } };
      await clearLeftovers(plan, progress);
      const up = await bringUp(plan, options, progress);
      up.timings.totalMs = Date.now() - started;
      return { ...up, repaired: running.repaired, installedPackages };
    },
    { waitMs: 10 * 60_000, onWait: progress },
  );
}

/**
 * A lab of that name already up: the result when it is as asked (a
 * different one is refused); one left half torn down is cleaned up first.
 */
async function runningOrRepaired(
  plan: LabPlan,
  progress: Progress,
): Promise<{ result?: Omit<LabUpResult, 'timings'>; repaired: boolean }> {
  const existing = readState(plan.paths.state);
  if (!existing) return { repaired: false };
  const health = await inspectLab(existing);
  if (health.healthy) {
    const diffs = differences(existing, plan.flavor, plan.subnet, plan.hosts);
    if (diffs.length > 0) {
      throw new UsageError(
        `lab ${plan.name} is running with ${diffs.join(', ')}; run \`foobar-infra lab down --name ${plan.name}\` first`,
      );
    }
    progress(`lab ${plan.name} is already running; nothing changed`);
    const result = {
      ...labInfo(plan.paths, existing),
      alreadyRunning: true,
      repaired: false,
      degraded: [],
      installedPackages: [],
    };
    return { result, repaired: false };
  }
  progress(
    `lab ${plan.name} was left half torn down (${health.problems.join('; ')}); cleaning it up first`,
  );
  await teardownLab(new StateStore(plan.paths.state, existing), plan.paths, progress);
  return { repaired: true };
}

/** Host folders without a state are leftovers of this lab: removed (unmounting first). */
async function clearLeftovers(plan: LabPlan, progress: Progress): Promise<void> {
  await refuseForeignObjects(plan.bridge, plan.hosts);
  if (!existsSync(plan.paths.hosts)) return;
  for (const h of plan.hosts) {
    if (isMountPoint(hostPaths(plan.paths, h.name).root))
      progress(`removing a leftover mount of ${h.name}`);
  }
  await removeTree('clean leftover host folders', plan.paths.hosts);
}

/** The image, the repository and the lab's files, then the network and the hosts booted. */
async function bringUp(
  plan: LabPlan,
  options: LabUpOptions,
  progress: Progress,
): Promise<Omit<LabUpResult, 'repaired' | 'installedPackages'>> {
  const spec = FLAVORS[plan.flavor];
  const timings: LabTimings = { totalMs: 0 };
  const image = await ensureImage(plan.root, spec, debianMirror(), progress);
  if (image.built) timings.imageBuildMs = image.buildMs;
  const repo = await ensureRepo(plan.root, spec, image, progress);
  if (repo.built) timings.repoBuildMs = repo.buildMs;
  const authorizedKey = await writeLabFiles({
    paths: plan.paths,
    name: plan.name,
    flavor: plan.flavor,
    subnet: plan.subnet,
    hosts: plan.hosts,
    tls: plan.tls,
    copyInventoryTo: options.copyInventoryTo,
    progress,
  });
  const state: LabState = {
    version: STATE_VERSION,
    name: plan.name,
    flavor: plan.flavor,
    suite: spec.suite,
    subnet: plan.subnet.cidr,
    bridge: plan.bridge,
    gateway: gatewayAddress(plan.subnet),
    imageId: image.id,
    imageRoot: image.rootfs,
    repoId: repo.id,
    repoPath: repo.path,
    hosts: plan.hosts,
    phase: 'starting',
    bridgeCreated: false,
    runtime: {},
    bootId: currentBootId(),
    startedAt: new Date().toISOString(),
  };
  const store = new StateStore(plan.paths.state, state);
  store.save();
  const ctx: HostContext = { store, paths: plan.paths, authorizedKey, progress };
  const bootStarted = Date.now();
  const readiness = await bootHosts(plan, ctx, options.bootTimeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS);
  timings.bootMs = Date.now() - bootStarted;
  return {
    ...labInfo(plan.paths, state),
    alreadyRunning: false,
    degraded: readiness
      .filter((r) => r.state === 'degraded')
      .map((r) => ({ host: r.host, failedUnits: r.failedUnits })),
    timings,
  };
}

/** The bridge, each host's network, the hosts booted; on any failure, what was created goes. */
async function bootHosts(plan: LabPlan, ctx: HostContext, timeoutMs: number): Promise<Readiness[]> {
  const { store, progress } = ctx;
  const state = store.state;
  try {
    progress(
      `starting ${plan.hosts.length} hosts (${state.suite}) on ${plan.bridge}, ${plan.subnet.cidr}`,
    );
    state.bridgeCreated = true;
    store.save();
    await createBridge(plan.bridge, state.gateway, plan.subnet.prefix);
    for (const host of plan.hosts) await createHostNetwork(ctx, host);
    await allSettledOrThrow(plan.hosts.map((host) => bootHost(ctx, host)));
    const readiness = await Promise.all(
      plan.hosts.map((host) => waitForHost(ctx, host, timeoutMs)),
    );
    store.setPhase('running');
    return readiness;
  } catch (error) {
    progress('lab up failed; removing what it created (logs stay in ' + plan.paths.logs + ')');
    await teardownLab(store, plan.paths, progress).catch(() => undefined);
    throw error;
  }
}

/**
 * Every booted host's systemd, journald, logind and dbus take inotify
 * instances of the machine's root user; the kernel's default (128) runs out
 * near 15 hosts ("Failed to create control group inotify object: Too many
 * open files"). Raised, never lowered, with a line saying so.
 */
function raiseInotifyLimits(hostCount: number, progress: Progress): void {
  const wanted: [string, number][] = [
    ['/proc/sys/fs/inotify/max_user_instances', 512 + 32 * hostCount],
    ['/proc/sys/fs/inotify/max_user_watches', 262_144 + 16_384 * hostCount],
  ];
  for (const [file, want] of wanted) {
    let now: number;
    try {
      now = Number(readFileSync(file, 'utf8').trim());
    } catch {
      continue;
    }
    if (!(now < want)) continue;
    try {
      writeFileSync(file, `${want}\n`);
      progress(
        `raised ${file.slice('/proc/sys/'.length).replace(/\//g, '.')} from ${now} to ${want} for ${hostCount} hosts`,
      );
    } catch (error) {
      progress(`cannot raise ${file} (${(error as Error).message}); hosts may fail to boot`);
    }
  }
}

/** With two or more load balancers, the address they share; else none. */
function labVirtualIp(hosts: readonly HostPlan[], subnet: Subnet): string | undefined {
  return hosts.filter((h) => h.role === 'lb').length > 1 ? virtualAddress(subnet) : undefined;
}
