/**
 * Names in a lab: the lab's own name, host names from `--hosts`, their roles
 * and addresses, and the short names of the machine's network objects. Pure.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors';
import { hostAddress, hostCapacity, type Subnet } from './subnet';

export const DEFAULT_LAB_NAME = 'default';
export const DEFAULT_HOST_NAMES: readonly string[] = ['lb-01', 'web-01', 'web-02'];
/** Interface names are limited to 15 characters (IFNAMSIZ - 1). */
export const MAX_INTERFACE_NAME = 15;
/**
 * Hosts per lab: as many as a /24 holds from .11 (.11 to .254). The index in
 * veth names then has at most three digits: `fbv-` + a 7-character tag + `-` +
 * 243 is 15 characters.
 */
export const MAX_HOSTS = 244;

const LAB_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const HOST_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$/;

export type HostRole = 'lb' | 'web';

export interface HostPlan {
  index: number;
  name: string;
  role: HostRole;
  address: string;
  mysqlRole?: 'primary' | 'replica';
  /** The primary a replica follows. */
  mysqlSource?: string;
  serverId?: number;
  /** `ip netns` name (a file name, no length limit that matters). */
  netns: string;
  /** The machine's end of the host's veth pair. */
  veth: string;
  /** systemd-nspawn's machine name; unique across labs. */
  machine: string;
}

export function validateLabName(name: string | undefined): string {
  const value = name ?? DEFAULT_LAB_NAME;
  if (!LAB_NAME.test(value)) {
    throw new UsageError(
      `lab name "${value}" must be 1-32 characters: lower-case letters, digits and "-", not starting with "-"`,
    );
  }
  return value;
}

/**
 * Host names from `--hosts`: nothing gives lb-01, web-01, web-02; a number N
 * gives lb-01 and web-01..web-(N-1); a comma-separated list gives those names
 * (the first is the load balancer).
 */
export function hostNamesFromOption(
  value: string | number | readonly string[] | undefined,
): string[] {
  if (value === undefined || value === '') return [...DEFAULT_HOST_NAMES];
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+\s*$/.test(value))) {
    const count = Number(value);
    if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) {
      throw new UsageError(`--hosts ${value}: give a number of hosts from 1 to ${MAX_HOSTS}`);
    }
    const pad = (n: number) => String(n).padStart(2, '0');
    return ['lb-01', ...Array.from({ length: count - 1 }, (_, i) => `web-${pad(i + 1)}`)];
  }
  const names = (typeof value === 'string' ? value.split(',') : [...value]).map((n) => n.trim());
  if (names.length > MAX_HOSTS) {
    throw new UsageError(`--hosts: at most ${MAX_HOSTS} hosts, got ${names.length}`);
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (!HOST_NAME.test(name)) {
      throw new UsageError(
        `--hosts: "${name}" is not a valid host name (lower-case letters, digits and "-", starting with a letter, at most 32)`,
      );
    }
    if (seen.has(name)) throw new UsageError(`--hosts: "${name}" is listed twice`);
    seen.add(name);
  }
  return names;
}

/**
 * A short tag for the lab in interface names: the name itself when it is at
 * most 7 characters, otherwise 3 characters and 4 of a hash.
 */
export function labTag(labName: string): string {
  if (labName.length <= 7) return labName;
  const hash = createHash('sha256').update(labName).digest('hex').slice(0, 4);
  return `${labName.slice(0, 3)}${hash}`;
}

/** The lab bridge on the machine, e.g. `fbl-default`. */
export function bridgeName(labName: string): string {
  return `fbl-${labTag(labName)}`;
}

/** The machine's end of a host's veth pair, e.g. `fbv-default-0`. */
export function vethName(labName: string, index: number): string {
  return `fbv-${labTag(labName)}-${index}`;
}

export function netnsName(labName: string, host: string): string {
  return `fbl-${labName}-${host}`;
}

export function machineName(labName: string, host: string): string {
  return `fbl-${labName}-${host}`;
}

/**
 * Every host of a lab: the first is a load balancer, and so is each host right
 * after it whose name starts with "lb" (two: keepalived shares a virtual
 * address); the others are web hosts. The first web host is the MySQL primary
 * and the others its replicas.
 */
export function planHosts(labName: string, names: readonly string[], subnet: Subnet): HostPlan[] {
  if (names.length === 0) throw new UsageError('a lab needs at least one host');
  if (names.length > hostCapacity(subnet)) {
    throw new UsageError(
      `subnet ${subnet.cidr} has room for ${hostCapacity(subnet)} hosts (from .11), not ${names.length}`,
    );
  }
  let lbs = 1;
  while (lbs < names.length - 1 && names[lbs]!.startsWith('lb')) lbs++;
  const primary = names[lbs];
  return names.map((name, index) => {
    const plan: HostPlan = {
      index,
      name,
      role: index < lbs ? 'lb' : 'web',
      address: hostAddress(subnet, index),
      netns: netnsName(labName, name),
      veth: vethName(labName, index),
      machine: machineName(labName, name),
    };
    if (index >= lbs) {
      plan.serverId = index - lbs + 1;
      plan.mysqlRole = index === lbs ? 'primary' : 'replica';
      if (index > lbs) plan.mysqlSource = primary;
    }
    return plan;
  });
}
