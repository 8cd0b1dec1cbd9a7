/**
 * Fields: what a selector (`ip saddr`, `tcp dport`, `ct state`, `iifname`,
 * ...) sees of the probe packet, and how one written element compares with it.
 */
import type { NftSelector } from '../nft-ruleset';
import { addressMatch, addressRange } from './addresses';
import { L4_PROTOCOLS, NOT_TCP, own, portOf } from './names';
import type { Packet, Tri } from './packet';

/** How to compare one written element with the packet. */
export interface Field {
  atom(text: string): Tri;
  range(from: string, to: string): Tri;
}

const unknownRange = (): Tri => 'unknown';

const UNKNOWN_FIELD: Field = { atom: () => 'unknown', range: unknownRange };

/** A selector's field for this packet, or a fixed answer whatever the value. */
export function fieldOf(sel: NftSelector, pkt: Packet): Field | Tri {
  const [head, key, ...rest] = sel.words;
  // A header match on the other family, or on a protocol other than TCP, needs a
  // header the packet does not have: it does not match, negated or not.
  if (lacksHeader(head, pkt)) return 'no';
  const meta = head === 'meta' ? key : sel.words.length === 1 ? head : undefined;
  const field =
    (meta === undefined ? undefined : metaField(meta, head === 'meta', pkt)) ??
    headerField(head, key, rest.length === 0, pkt);
  return field ?? UNKNOWN_FIELD;
}

function lacksHeader(head: string, pkt: Packet): boolean {
  if ((head === 'ip' && pkt.family !== 4) || (head === 'ip6' && pkt.family !== 6)) return true;
  if (head === 'icmp' && pkt.family !== 4) return true;
  return NOT_TCP.has(head);
}

/** `meta <key>`, or the key alone (`iifname "eth0"`); `explicit`: written after `meta`. */
function metaField(meta: string, explicit: boolean, pkt: Packet): Field | undefined {
  switch (meta) {
    case 'iif':
    case 'iifname':
      return { atom: (t) => (t === 'lo' ? 'no' : 'unknown'), range: unknownRange };
    case 'iiftype':
      return { atom: (t) => (t === 'loopback' ? 'no' : 'unknown'), range: unknownRange };
    case 'pkttype':
      return {
        atom: (t) =>
          t === 'host' ? 'yes' : /^(broadcast|multicast|other)$/.test(t) ? 'no' : 'unknown',
        range: unknownRange,
      };
    case 'l4proto':
      return l4Field();
    case 'nfproto':
      return familyField(pkt, 'ipv4', 'ipv6');
    case 'protocol':
      return explicit ? familyField(pkt, 'ip', 'ip6') : undefined;
    default:
      return undefined;
  }
}

/** `<header> <key>`; `bare`: nothing follows the key. */
function headerField(
  head: string,
  key: string | undefined,
  bare: boolean,
  pkt: Packet,
): Field | undefined {
  if ((head === 'ip' && key === 'protocol') || (head === 'ip6' && key === 'nexthdr')) {
    return l4Field();
  }
  if (head === 'ct' && bare) {
    if (key === 'protocol') return l4Field();
    if (key === 'l3proto') return familyField(pkt, 'ipv4', 'ipv6');
    if (key === 'state') return stateField(pkt);
  }
  if ((head === 'ip' || head === 'ip6') && key === 'saddr') {
    return { atom: (t) => addressMatch(t, pkt), range: (a, b) => addressRange(a, b, pkt) };
  }
  if ((head === 'tcp' || head === 'th') && key === 'dport') return portField(pkt);
  return undefined;
}

function stateField(pkt: Packet): Field {
  return {
    atom: (t) =>
      t === pkt.state
        ? 'yes'
        : /^(new|established|related|invalid|untracked)$/.test(t)
          ? 'no'
          : 'unknown',
    range: unknownRange,
  };
}

function portField(pkt: Packet): Field {
  return {
    atom: (t) => {
      const dash = t.indexOf('-');
      if (dash > 0) return portRange(t.slice(0, dash), t.slice(dash + 1), pkt);
      const p = portOf(t);
      return p === undefined ? 'unknown' : p === pkt.port ? 'yes' : 'no';
    },
    range: (a, b) => portRange(a, b, pkt),
  };
}

function portRange(from: string, to: string, pkt: Packet): Tri {
  const a = portOf(from);
  const b = portOf(to);
  if (a === undefined || b === undefined) return 'unknown';
  return pkt.port >= a && pkt.port <= b ? 'yes' : 'no';
}

function l4Field(): Field {
  return {
    atom: (t) => {
      const n = /^\d{1,3}$/.test(t) ? Number(t) : own(L4_PROTOCOLS, t);
      return n === undefined ? 'unknown' : n === 6 ? 'yes' : 'no';
    },
    range: unknownRange,
  };
}

function familyField(pkt: Packet, v4: string, v6: string): Field {
  return {
    atom: (t) =>
      t === v4
        ? pkt.family === 4
          ? 'yes'
          : 'no'
        : t === v6
          ? pkt.family === 6
            ? 'yes'
            : 'no'
          : 'unknown',
    range: unknownRange,
  };
}
