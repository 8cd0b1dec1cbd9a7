import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP addresses and prefixes, checked by node's own parser (net.isIPv4 and
 * net.isIPv6), never by a hand-written pattern: 203.0.113.312 is no address.
 * A name (a DNS host name) is in neither family: a firewall rule cannot hold
 * it. Pure.
 */

function split(value: string): { address: string; bits?: string } {
  const slash = value.indexOf('/');
  return slash < 0
    ? { address: value }
    : { address: value.slice(0, slash), bits: value.slice(slash + 1) };
}

const prefixOk = (bits: string | undefined, max: number): boolean =>
  bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);

/** 192.0.2.1 or 192.0.2.0/24. */
export const isIpv4 = (value: string): boolean => {
  const { address, bits } = split(value);
  return isIPv4(address) && prefixOk(bits, 32);
};

/** 2001:db8::1 or 2001:db8::/32. */
export const isIpv6 = (value: string): boolean => {
  const { address, bits } = split(value);
  return isIPv6(address) && prefixOk(bits, 128);
};

/** An address of either family, without a prefix. */
export const isIpAddress = (value: string): boolean => isIPv4(value) || isIPv6(value);

/** An address or a CIDR prefix of either family. */
export const isIpPrefix = (value: string): boolean => isIpv4(value) || isIpv6(value);

/**
 * What is wrong with a value that is an address or a host name, if anything:
 * digits and dots must be an IPv4 address, a colon an IPv6 address.
 */
export function addressProblem(value: string): string | undefined {
  if (value.includes(':'))
    return isIPv6(value) ? undefined : `${value} is not a valid IPv6 address`;
  if (/^[\d.]+$/.test(value))
    return isIPv4(value) ? undefined : `${value} is not a valid IPv4 address`;
  return undefined;
}
