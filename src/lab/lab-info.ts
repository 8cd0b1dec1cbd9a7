/** The structured description of a lab that the library returns. Pure. */
import type { Flavor } from './flavors';
import { hostPaths, type LabPaths } from './paths';
import type { HostPlan } from './plan-names';
import type { LabState } from './state';

/** A planned host, as it runs. */
export interface LabHost extends Omit<HostPlan, 'index'> {
  /** The host's root as seen from the machine (its overlay mount point). */
  rootPath: string;
  logPath: string;
  pid?: number;
}

export interface LabInfo {
  name: string;
  flavor: Flavor;
  suite: string;
  subnet: string;
  bridge: string;
  /** The machine's address on the lab bridge. */
  gateway: string;
  hosts: LabHost[];
  stateDir: string;
  inventoryPath: string;
  knownHostsPath: string;
  keyPath: string;
  secretsDir: string;
  imageId: string;
  repoId: string;
  repoPath: string;
}

export function labHost(paths: LabPaths, plan: HostPlan, pid?: number): LabHost {
  const hp = hostPaths(paths, plan.name);
  const host: LabHost = {
    name: plan.name,
    address: plan.address,
    role: plan.role,
    netns: plan.netns,
    veth: plan.veth,
    machine: plan.machine,
    rootPath: hp.root,
    logPath: hp.log,
  };
  if (plan.mysqlRole) host.mysqlRole = plan.mysqlRole;
  if (plan.mysqlSource) host.mysqlSource = plan.mysqlSource;
  if (plan.serverId !== undefined) host.serverId = plan.serverId;
  if (pid !== undefined) host.pid = pid;
  return host;
}

export function labInfo(paths: LabPaths, state: LabState): LabInfo {
  return {
    name: state.name,
    flavor: state.flavor,
    suite: state.suite,
    subnet: state.subnet,
    bridge: state.bridge,
    gateway: state.gateway,
    hosts: state.hosts.map((h) => labHost(paths, h, state.runtime[h.name]?.process?.pid)),
    stateDir: paths.dir,
    inventoryPath: paths.inventory,
    knownHostsPath: paths.knownHosts,
    keyPath: paths.key,
    secretsDir: paths.secrets,
    imageId: state.imageId,
    repoId: state.repoId,
    repoPath: state.repoPath,
  };
}

export interface LabTimings {
  totalMs: number;
  /** Set when this call built the image (cold). */
  imageBuildMs?: number;
  /** Set when this call built the package repository. */
  repoBuildMs?: number;
  /** Network setup, mounts and boot until every host answered (warm part). */
  bootMs?: number;
}

export interface LabUpResult extends LabInfo {
  /** The lab was already running; nothing was changed. */
  alreadyRunning: boolean;
  /** A half torn down lab was cleaned up first. */
  repaired: boolean;
  /** Hosts whose systemd reported `degraded`, with the failed units. */
  degraded: { host: string; failedUnits: string[] }[];
  /** Machine packages installed with apt-get by this call. */
  installedPackages: string[];
  timings: LabTimings;
}
