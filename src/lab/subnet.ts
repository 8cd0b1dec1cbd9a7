/** IPv4 subnets of a lab: parsing, and which address each party gets. Pure. */
import { UsageError } from '../core/errors';

export const DEFAULT_SUBNET = '10.231.0.0/24';
/** The machine's end of the lab bridge is this offset in the subnet (.1). */
export const GATEWAY_OFFSET = 1;
/** Hosts get addresses from this offset upward (.11, .12, ...). */
export const FIRST_HOST_OFFSET = 11;

export interface Subnet {
  /** Canonical text, e.g. `10.231.0.0/24`. */
  cidr: string;
  /** The network address as an unsigned 32-bit number. */
  network: number;
  prefix: number;
}

/** Ranges a lab may use: private, shared (CGNAT) and documentation ranges. */
const ALLOWED_RANGES: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '192.0.2.0/24',
  '198.51.100.0/24',
  '203.0.113.0/24',
];

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function subnetSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** Parses `a.b.c.d/len` without judging it; undefined when it is not CIDR at all. */
export function parseCidr(text: string): { address: number; prefix: number } | undefined {
  const match = /^([0-9.]+)(?:\/(\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const address = parseIpv4(match[1]);
  const prefix = match[2] === undefined ? 32 : Number(match[2]);
  if (address === undefined || prefix > 32) return undefined;
  return { address, prefix };
}

export function networkOf(address: number, prefix: number): number {
  const size = subnetSize(prefix);
  return address - (address % size);
}

/** Whether two ranges share any address. */
export function rangesOverlap(
  a: { network: number; prefix: number },
  b: { network: number; prefix: number },
): boolean {
  const aEnd = a.network + subnetSize(a.prefix) - 1;
  const bEnd = b.network + subnetSize(b.prefix) - 1;
  return a.network <= bEnd && b.network <= aEnd;
}

function contains(outer: { network: number; prefix: number }, inner: Subnet): boolean {
  return (
    inner.network >= outer.network &&
    inner.network + subnetSize(inner.prefix) <= outer.network + subnetSize(outer.prefix)
  );
}

/**
 * A lab subnet from `--subnet`. It must be a network address with a prefix
 * between /16 and /28, inside a private or documentation range, so that lab
 * traffic can never be mistaken for traffic to the outside.
 */
export function parseSubnet(text: string): Subnet {
  const parsed = parseCidr(text);
  if (!parsed || !/\/\d{1,2}$/.test(text.trim())) {
    throw new UsageError(`--subnet "${text}" is not an IPv4 CIDR like ${DEFAULT_SUBNET}`);
  }
  const { address, prefix } = parsed;
  if (prefix < 16 || prefix > 28) {
    throw new UsageError(`--subnet ${text}: the prefix must be between /16 and /28 (e.g. /24)`);
  }
  const network = networkOf(address, prefix);
  if (network !== address) {
    throw new UsageError(
      `--subnet ${text} is not a network address; did you mean ${formatIpv4(network)}/${prefix}?`,
    );
  }
  const subnet: Subnet = { cidr: `${formatIpv4(network)}/${prefix}`, network, prefix };
  const allowed = ALLOWED_RANGES.map((r) => parseCidr(r)!).some((r) =>
    contains({ network: r.address, prefix: r.prefix }, subnet),
  );
  if (!allowed) {
    throw new UsageError(
      `--subnet ${subnet.cidr} is not in a private range (10/8, 172.16/12, 192.168/16, 100.64/10): ` +
        'the lab only uses addresses that cannot belong to anyone else',
    );
  }
  return subnet;
}

/** The address of the machine's end of the lab bridge (.1). */
export function gatewayAddress(subnet: Subnet): string {
  return formatIpv4(subnet.network + GATEWAY_OFFSET);
}

/** How many hosts fit: from .11 up to the last address before the broadcast. */
export function hostCapacity(subnet: Subnet): number {
  return Math.max(0, subnetSize(subnet.prefix) - 1 - FIRST_HOST_OFFSET);
}

/** The virtual address two load balancers share (keepalived): .10, just below the hosts. */
export function virtualAddress(subnet: Subnet): string {
  return formatIpv4(subnet.network + FIRST_HOST_OFFSET - 1);
}

/** The address of the host at `index` (0-based): .11, .12, ... */
export function hostAddress(subnet: Subnet, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= hostCapacity(subnet)) {
    throw new UsageError(
      `subnet ${subnet.cidr} has room for ${hostCapacity(subnet)} hosts, not ${index + 1}`,
    );
  }
  return formatIpv4(subnet.network + FIRST_HOST_OFFSET + index);
}
