/** Where the lab keeps its images, repositories and per-lab state. */
import { join } from 'node:path';

export const DEFAULT_LAB_ROOT = '/var/lib/foobar-infra/lab';

/** The root folder: `FOOBAR_INFRA_LAB_ROOT` overrides the default. */
export function labRoot(override?: string): string {
  return override ?? process.env.FOOBAR_INFRA_LAB_ROOT ?? DEFAULT_LAB_ROOT;
}

export interface CachePaths {
  images: string;
  repos: string;
  /** debootstrap's download cache, so a rebuilt image needs no new downloads. */
  debootstrapCache: string;
  labs: string;
}

export function cachePaths(root: string): CachePaths {
  return {
    images: join(root, 'images'),
    repos: join(root, 'repos'),
    debootstrapCache: join(root, 'cache', 'debootstrap'),
    labs: join(root, 'labs'),
  };
}

export interface LabPaths {
  dir: string;
  state: string;
  lock: string;
  key: string;
  publicKey: string;
  knownHosts: string;
  inventory: string;
  secrets: string;
  /** The lab's CA, the load balancer's and the database hosts' certificates (src/lab/tls.ts). */
  tls: string;
  hostKeys: string;
  hosts: string;
  logs: string;
  /** Frozen upper layers of hosts, shared by checkpoints and the hosts booted from them. */
  layers: string;
  /** One record per checkpoint: which layers each host's disk is made of. */
  checkpoints: string;
}

export function labPaths(root: string, name: string): LabPaths {
  const dir = join(cachePaths(root).labs, name);
  return {
    dir,
    state: join(dir, 'state.json'),
    lock: join(dir, 'lock'),
    key: join(dir, 'id_ed25519'),
    publicKey: join(dir, 'id_ed25519.pub'),
    knownHosts: join(dir, 'known_hosts'),
    inventory: join(dir, 'inventory.yml'),
    secrets: join(dir, 'secrets'),
    tls: join(dir, 'tls'),
    hostKeys: join(dir, 'host-keys'),
    hosts: join(dir, 'hosts'),
    logs: join(dir, 'logs'),
    layers: join(dir, 'layers'),
    checkpoints: join(dir, 'checkpoints'),
  };
}

export interface HostPaths {
  dir: string;
  upper: string;
  work: string;
  root: string;
  hostKey: string;
  log: string;
}

export function hostPaths(lab: LabPaths, host: string): HostPaths {
  const dir = join(lab.hosts, host);
  return {
    dir,
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    root: join(dir, 'root'),
    hostKey: join(lab.hostKeys, host, 'ssh_host_ed25519_key'),
    log: join(lab.logs, `${host}.log`),
  };
}
