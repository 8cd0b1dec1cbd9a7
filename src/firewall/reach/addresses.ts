/**
 * Addresses: the probe's source, and the addresses, prefixes (`10.0.0.0/8`)
 * and ranges (`10.0.0.1-10.0.0.9`) a rule writes. node:net reads them
 * (`isIP`, `SocketAddress`) and matches them (`BlockList`). What it does not
 * take as a plain literal of the packet's family is `unknown`: a host name
 * (nft resolves it), the other family, a zone id, or a leading zero in an
 * IPv4 part (nft's resolver reads `010.0.0.1` as octal, 8.0.0.1).
 */
import { BlockList, SocketAddress, isIP, isIPv4, isIPv6 } from 'node:net';
import type { Family, Source, Tri } from './packet';

const NET_FAMILY = { 4: 'ipv4', 6: 'ipv6' } as const;

/** `text` if it is an address of `family` as `inet_pton` reads it, else undefined. */
function literal(text: string, family: Family): string | undefined {
  if (family === 4) return isIPv4(text) ? text : undefined;
  // net.isIPv6 allows a zone id (`fe80::1%eth0`); a rule's address is taken without one.
  return isIPv6(text) && !text.includes('%') ? text : undefined;
}

/** The probe's source; an IPv4-mapped IPv6 address is the IPv4 packet it stands for. */
export function probeAddress(source: string): Source | undefined {
  const bare = source
    .trim()
    .replace(/%.*$/, '')
    .replace(/^\[(.*)\]$/, '$1');
  const family = isIP(bare);
  if (family === 4) return { family: 4, address: bare };
  if (family !== 6) return undefined;
  // Written back by inet_ntop: lower case, and a mapped address as ::ffff:a.b.c.d.
  const { address } = new SocketAddress({ address: bare, family: 'ipv6' });
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  return mapped ? { family: 4, address: mapped[1] } : { family: 6, address };
}

/**
 * Answers worked out for a source, by what the rule wrote: a large set is met
 * again on every path and by every rule that names it.
 */
const answers = new WeakMap<Source, Map<string, Tri>>();

function remembered(src: Source, key: string, work: () => Tri): Tri {
  let known = answers.get(src);
  if (!known) {
    known = new Map();
    answers.set(src, known);
  }
  let answer = known.get(key);
  if (answer === undefined) {
    answer = work();
    known.set(key, answer);
  }
  return answer;
}

/** Whether an address, prefix or range written in a rule holds the packet's source. */
export function addressMatch(text: string, src: Source): Tri {
  return remembered(src, `=${text}`, () => matchOnce(text, src));
}

/** Whether the range `from`-`to` written in a rule holds the packet's source. */
export function addressRange(from: string, to: string, src: Source): Tri {
  return remembered(src, `-${JSON.stringify([from, to])}`, () => rangeOnce(from, to, src));
}

function matchOnce(text: string, src: Source): Tri {
  const dash = text.indexOf('-');
  if (dash > 0) return addressRange(text.slice(0, dash), text.slice(dash + 1), src);
  const slash = text.indexOf('/');
  const base = literal(slash >= 0 ? text.slice(0, slash) : text, src.family);
  if (base === undefined) return 'unknown'; // a host name (resolved by nft) or the other family
  const bits = src.family === 4 ? 32 : 128;
  const length = slash >= 0 ? text.slice(slash + 1) : String(bits);
  if (!/^\d{1,3}$/.test(length) || Number(length) > bits) return 'unknown';
  // Like nft, the subnet ignores the host bits of the written address (10.1.2.3/8 is 10.0.0.0/8).
  const list = new BlockList();
  list.addSubnet(base, Number(length), NET_FAMILY[src.family]);
  return list.check(src.address, NET_FAMILY[src.family]) ? 'yes' : 'no';
}

function rangeOnce(from: string, to: string, src: Source): Tri {
  const start = literal(from, src.family);
  const end = literal(to, src.family);
  if (start === undefined || end === undefined) return 'unknown';
  const list = new BlockList();
  try {
    list.addRange(start, end, NET_FAMILY[src.family]);
  } catch (e) {
    // Both ends are addresses, so this is a range that ends before it starts: it holds none.
    if ((e as { code?: unknown }).code === 'ERR_INVALID_ARG_VALUE') return 'no';
    throw e;
  }
  return list.check(src.address, NET_FAMILY[src.family]) ? 'yes' : 'no';
}
