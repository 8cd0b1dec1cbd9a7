/** The structured description of a lab that the library returns. Pure. */
import type { Flavor } from './flavors';
import { hostPaths, type LabPaths } from './paths';
import type { HostPlan } from './plan-names';
import type { LabState } from './state';
import { caCertificatePath } from './tls';

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
  /** The lab's TLS folder: CA, the load balancer's and the database hosts' certificates. */
  tlsDir: string;
  /** The lab CA's certificate (`curl --cacert`). */
  caPath: string;
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
    tlsDir: paths.tls,
    caPath: caCertificatePath(paths.tls),
    imageId: state.imageId,
    repoId: state.repoId,
    repoPath: state.repoPath,
  };
}

/** The line `lab up` and `lab status` print about the CA: its path, and how to use it on the lb. */
export function caLine(info: Pick<LabInfo, 'caPath' | 'hosts'>): string {
  const lb = info.hosts.find((h) => h.role === 'lb');
  const example = lb ? `  (curl --cacert ${info.caPath} https://${lb.address}/)` : '';
  return `CA: ${info.caPath}${example}`;
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
