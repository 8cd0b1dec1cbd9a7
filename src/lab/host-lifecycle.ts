/**
 * One host's objects on the machine, each recorded in the state before it is
 * made and forgotten after it is removed: network namespace and veth, overlay
 * root, cgroups, systemd-nspawn process.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createCgroups, hostCgroups, removeCgroupTree } from './cgroups';
import { FLAVORS } from './flavors';
import { prepareHostRoot } from './host-prepare';
import type { Progress } from './machine';
import { mountOverlay, removeTree, unmount } from './mounts';
import { createHostLink, createNetns, deleteLink, deleteNetns } from './network';
import { startNspawn, stopNspawn, type StopOutcome } from './nspawn';
import { nspawnArgs, nspawnEnv } from './nspawn-args';
import { hostPaths, type LabPaths } from './paths';
import type { HostPlan } from './plan-names';
import { isSameProcessAlive } from './processes';
import { waitUntilRunning, type Readiness } from './readiness';
import type { StateStore } from './state';
import { parseSubnet } from './subnet';

export interface HostContext {
  store: StateStore;
  paths: LabPaths;
  /** The lab's client public key line. */
  authorizedKey: string;
  progress: Progress;
}

export async function createHostNetwork(ctx: HostContext, host: HostPlan): Promise<void> {
  const { state } = ctx.store;
  const prefix = parseSubnet(state.subnet).prefix;
  ctx.store.record(host.name, { netns: host.netns });
  await createNetns(host.netns);
  ctx.store.record(host.name, { veth: host.veth });
  await createHostLink(host.netns, host.veth, state.bridge, host.address, prefix);
}

/**
 * Mounts a fresh copy-on-write root, gives the host its identity and starts
 * systemd-nspawn. With `layers` (a checkpoint of this host, topmost first),
 * the fresh root starts from that checkpoint instead of the bare image. With
 * `keepDisk`, the host's own upper layer (what it wrote before it was powered
 * off) is mounted again, on the layers it had: a reboot, not a reset.
 */
export async function bootHost(
  ctx: HostContext,
  host: HostPlan,
  options: { keepDisk?: boolean; layers?: readonly string[] } = {},
): Promise<void> {
  const { state } = ctx.store;
  const paths = hostPaths(ctx.paths, host.name);
  ctx.store.record(host.name, { dir: paths.dir });
  const keep = options.keepDisk === true && existsSync(paths.upper);
  // A bare host every time: no upper layer survives from an earlier run.
  if (!keep && existsSync(paths.dir)) await removeTree(`prepare ${host.name}`, paths.dir);
  for (const dir of [paths.upper, paths.work, paths.root]) mkdirSync(dir, { recursive: true });
  mkdirSync(ctx.paths.logs, { recursive: true });
  const layers = keep ? (ctx.store.host(host.name).layers ?? []) : [...(options.layers ?? [])];
  ctx.store.record(host.name, { layers, mount: paths.root });
  await mountOverlay(
    `mount root of ${host.name}`,
    [...layers, state.imageRoot],
    paths.upper,
    paths.work,
    paths.root,
  );
  // A checkpoint already holds the host's identity (and whatever was done to it since).
  if (!keep && layers.length === 0)
    await prepareHostRoot({
      root: paths.root,
      host,
      hosts: state.hosts,
      authorizedKey: ctx.authorizedKey,
      hostKeyPath: paths.hostKey,
    });
  const cgroups = hostCgroups(state.name, host.name);
  ctx.store.record(host.name, { cgroups });
  for (const cg of cgroups) removeCgroupTree(cg);
  createCgroups(cgroups);
  const input = {
    root: paths.root,
    machine: host.machine,
    netns: host.netns,
    repoPath: state.repoPath,
    unifiedCgroupHierarchy: FLAVORS[state.flavor].unifiedCgroupHierarchy,
  };
  const record = startNspawn({
    host: host.name,
    args: nspawnArgs(input),
    env: nspawnEnv(input),
    cgroups,
    logPath: paths.log,
  });
  ctx.store.record(host.name, { process: record });
}

export async function waitForHost(
  ctx: HostContext,
  host: HostPlan,
  timeoutMs: number,
): Promise<Readiness> {
  const runtime = ctx.store.host(host.name);
  const readiness = await waitUntilRunning({
    host: host.name,
    target: { address: host.address, keyPath: ctx.paths.key, knownHostsPath: ctx.paths.knownHosts },
    timeoutMs,
    isAlive: () => isSameProcessAlive(runtime.process),
    logPath: hostPaths(ctx.paths, host.name).log,
  });
  if (readiness.state === 'degraded') {
    ctx.progress(
      `${host.name} is up but degraded; failed units: ${readiness.failedUnits.join(', ') || '?'}`,
    );
  }
  return readiness;
}

/**
 * Stops the host and removes its root (the network stays): killed at once,
 * since its disk is thrown away. With `keepDisk`, it is powered off cleanly
 * and its upper layer stays on disk for `bootHost(..., { keepDisk: true })`:
 * a power-off, not a reset.
 */
export async function stopHost(
  store: StateStore,
  host: string,
  options: { keepDisk?: boolean } = {},
): Promise<StopOutcome> {
  const runtime = store.host(host);
  // A disk that is thrown away next needs no clean shutdown.
  const outcome = await stopNspawn(runtime.process, runtime.cgroups ?? [], {
    mode: options.keepDisk ? 'poweroff' : 'discard',
  });
  store.forget(host, 'process');
  for (const cg of runtime.cgroups ?? []) removeCgroupTree(cg);
  store.forget(host, 'cgroups');
  if (runtime.mount) await unmount(`unmount root of ${host}`, runtime.mount);
  store.forget(host, 'mount');
  if (options.keepDisk) return outcome;
  if (runtime.dir) await removeTree(`remove root of ${host}`, runtime.dir);
  store.forget(host, 'dir', 'layers');
  return outcome;
}

export async function removeHostNetwork(store: StateStore, host: string): Promise<void> {
  const runtime = store.host(host);
  if (runtime.veth) await deleteLink(runtime.veth);
  store.forget(host, 'veth');
  if (runtime.netns) await deleteNetns(runtime.netns);
  store.forget(host, 'netns');
}
