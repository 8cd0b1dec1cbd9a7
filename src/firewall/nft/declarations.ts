/**
 * The parts of table, set and chain declarations that are read from one
 * statement alone, without the parser's state: address families and
 * `[family] name` table references, base-chain headers (`type ... hook ...
 * [device ...] priority ...`), and the option words of sets and tables.
 */

import type { Cursor } from './tokens';
import type { NftBaseChain, NftFamily } from './types';
import { devicesOf, parseValue } from './values';

const FAMILIES: ReadonlySet<string> = new Set(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev']);

/** An address family: ip, ip6, inet, arp, bridge or netdev. */
export function parseFamily(c: Cursor): NftFamily {
  const f = c.name('a family');
  if (!FAMILIES.has(f)) throw c.error(`"${f}" is not an address family`);
  return f as NftFamily;
}

/** `[family] name` (the family defaults to ip). */
export function parseTableRef(c: Cursor): [NftFamily, string] {
  const t = c.peek();
  const after = c.peek(1);
  let family: NftFamily = 'ip';
  if (t && FAMILIES.has(t.text) && after && (after.kind === 'word' || after.kind === 'string')) {
    family = parseFamily(c);
  }
  return [family, c.name('a table name')];
}

/** The options a set or map body may hold besides `flags` and `elements`. */
export const SET_OPTIONS = new Set([
  'type',
  'typeof',
  'timeout',
  'gc-interval',
  'size',
  'policy',
  'auto-merge',
  'counter',
  'comment',
]);
/** Stateful objects a table may declare; they do not change whether a packet passes. */
export const TABLE_OBJECTS = new Set([
  'counter',
  'quota',
  'limit',
  'ct',
  'flowtable',
  'secmark',
  'synproxy',
]);

const NAMED_PRIORITIES: Readonly<Record<string, number>> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
  out: 100,
};

/** After `type` in a chain body: the base chain it declares, keeping the policy already set. */
export function baseChain(
  c: Cursor,
  line: number,
  previous: NftBaseChain | undefined,
): NftBaseChain {
  c.next(); // type
  const type = c.name('a chain type');
  if (!c.isWord('hook')) throw c.error('expected "hook" after the chain type');
  c.next();
  const hook = c.name('a hook');
  let devices: string[] = [];
  if (c.isWord('device')) {
    c.next();
    devices = [c.name('a device')];
  } else if (c.isWord('devices')) {
    c.next();
    c.expectPunct('=');
    devices = devicesOf(parseValue(c, false));
  }
  if (!c.isWord('priority')) throw c.error('expected "priority"');
  c.next();
  const at = c.index;
  while (!c.done()) c.next();
  const written = c.text(at).replace(/\s+/g, '');
  const m = /^([a-z]+|-?\d+)(?:([+-])(\d+))?$/.exec(written);
  if (!m) throw c.error(`cannot read the priority "${c.text(at)}"`);
  const base = /^-?\d+$/.test(m[1])
    ? Number(m[1])
    : Object.prototype.hasOwnProperty.call(NAMED_PRIORITIES, m[1])
      ? NAMED_PRIORITIES[m[1]]
      : undefined;
  if (base === undefined) throw c.error(`"${m[1]}" is not a priority name`);
  const priority = base + (m[2] === '-' ? -Number(m[3]) : m[2] === '+' ? Number(m[3]) : 0);
  return {
    type,
    hook,
    priority,
    policy: previous?.policy ?? 'accept',
    policyLine: previous?.policyLine ?? line,
    devices,
    line,
  };
}
