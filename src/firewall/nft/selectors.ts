/**
 * Selectors: what a match looks at (`ip saddr`, `tcp dport`, `meta l4proto`,
 * `ct state`, `fib daddr type`, bare meta keys such as `iifname`).
 */

import { BIT_OPS, OPS, VERDICT_WORDS } from './keywords';
import type { Cursor } from './tokens';
import type { NftSelector, NftToken } from './types';

/** Payload and other expressions written `<protocol> <field>`. */
const PROTOCOL_HEADS = new Set([
  'ip',
  'ip6',
  'tcp',
  'udp',
  'udplite',
  'sctp',
  'dccp',
  'th',
  'icmp',
  'icmpv6',
  'igmp',
  'ah',
  'esp',
  'comp',
  'ether',
  'vlan',
  'arp',
  'gre',
  'hbh',
  'frag',
  'dst',
  'mh',
  'srh',
]);
/** Meta keys that may be written without `meta`. */
const BARE_META = new Set([
  'iif',
  'iifname',
  'iiftype',
  'iifgroup',
  'oif',
  'oifname',
  'oiftype',
  'oifgroup',
  'mark',
  'priority',
  'skuid',
  'skgid',
  'rtclassid',
  'pkttype',
  'cpu',
  'cgroup',
  'nftrace',
  'ibrname',
  'obrname',
  'l4proto',
  'nfproto',
]);

function isPlainWord(t: NftToken | undefined): t is NftToken {
  return (
    t !== undefined &&
    t.kind === 'word' &&
    !OPS.has(t.text) &&
    !BIT_OPS.has(t.text) &&
    !VERDICT_WORDS.has(t.text) &&
    /^[a-z][a-z0-9_-]*$/.test(t.text)
  );
}

/** A selector at the cursor, or undefined (cursor unmoved) when there is none it knows. */
export function parseSelector(c: Cursor): NftSelector | undefined {
  const start = c.index;
  const head = c.peek();
  if (!head || head.kind !== 'word') return undefined;
  const words: string[] = [];
  const take = (): boolean => {
    const t = c.peek();
    if (!isPlainWord(t)) return false;
    words.push(t.text);
    c.next();
    return true;
  };
  const fail = (): undefined => {
    c.index = start;
    return undefined;
  };
  if (PROTOCOL_HEADS.has(head.text)) {
    take();
    if (!take()) return fail();
    // `tcp option ...`, `ip option ...`: options with fields of their own.
    if (words[1] === 'option') return fail();
  } else if (head.text === 'meta') {
    take();
    if (!take()) return fail();
  } else if (head.text === 'ct') {
    take();
    if (!take()) return fail();
    if (words[1] === 'original' || words[1] === 'reply') {
      if (!take()) return fail();
      if ((words[2] === 'ip' || words[2] === 'ip6') && !take()) return fail();
    }
  } else if (head.text === 'fib') {
    // fib saddr . iif oif, fib daddr type
    take();
    if (!take()) return fail();
    while (c.isWord('.')) {
      c.next();
      if (!take()) return fail();
    }
    if (!take()) return fail();
  } else if (BARE_META.has(head.text)) {
    take();
  } else {
    return undefined;
  }
  return { words, text: c.text(start) };
}
