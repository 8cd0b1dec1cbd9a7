/**
 * Which IP family an address or prefix is written in. A name (a DNS host
 * name) is in neither: a firewall rule cannot hold it. Pure.
 */

/** 192.0.2.1 or 192.0.2.0/24. */
export const isIpv4 = (address: string): boolean => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(address);

/** 2001:db8::1 or 2001:db8::/32. */
export const isIpv6 = (address: string): boolean => address.includes(':');
