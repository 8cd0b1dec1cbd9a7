/**
 * Matches: whether a rule's `<selector> <op> <value>` holds for the probe
 * packet, with values that are elements, ranges, sets, named sets or
 * concatenations.
 */
import type { NftOp, NftRuleItem, NftTable, NftValue } from '../nft-ruleset';
import { fieldOf, type Field } from './fields';
import { portOf } from './names';
import { all, any, not, type Packet, type Tri } from './packet';

type NftMatch = Extract<NftRuleItem, { kind: 'match' }>;

/** Whether a written value (an element, a set, a named set, ...) holds what the field sees. */
function contains(value: NftValue, field: Field, table: NftTable): Tri {
  switch (value.kind) {
    case 'atom':
      return field.atom(value.text);
    case 'range':
      return value.from.kind === 'atom' && value.to.kind === 'atom'
        ? field.range(value.from.text, value.to.text)
        : 'unknown';
    case 'set':
      return any(value.elements.map((e) => contains(e, field, table)));
    case 'list':
      return any(value.items.map((e) => contains(e, field, table)));
    case 'ref': {
      const set = table.sets.get(value.name);
      if (!set || set.kind !== 'set') return 'unknown';
      const found = any(set.elements.map((e) => contains(e, field, table)));
      // Elements added at run time: what the file lists is only a lower bound.
      return set.dynamic && found === 'no' ? 'unknown' : found;
    }
    default:
      return 'unknown';
  }
}

/** The elements of a value, sets and named sets flattened (`partial`: not all known). */
export function elementsOf(
  value: NftValue,
  table: NftTable,
): { items: NftValue[]; partial: boolean } {
  switch (value.kind) {
    case 'set':
    case 'list': {
      const items: NftValue[] = [];
      let partial = false;
      for (const e of value.kind === 'set' ? value.elements : value.items) {
        const inner = elementsOf(e, table);
        items.push(...inner.items);
        partial ||= inner.partial;
      }
      return { items, partial };
    }
    case 'ref': {
      const set = table.sets.get(value.name);
      if (!set) return { items: [], partial: true };
      const inner = elementsOf({ kind: 'set', elements: set.elements }, table);
      return { items: inner.items, partial: inner.partial || set.dynamic };
    }
    default:
      return { items: [value], partial: false };
  }
}

function compare(op: NftOp, inside: Tri): Tri {
  return op === '!=' ? not(inside) : inside;
}

export function evalMatch(item: NftMatch, pkt: Packet, table: NftTable): Tri {
  const fields = item.selectors.map((s) => fieldOf(s, pkt));
  // A header the packet does not have: no match, whatever the operator.
  if (fields.some((f) => f === 'no')) return 'no';
  if (item.masked) return 'unknown';
  if (fields.length === 1) {
    const field = fields[0];
    if (typeof field === 'string') return compare(item.op, field);
    if (item.op === '==' || item.op === '!=')
      return compare(item.op, contains(item.value, field, table));
    return relational(item, pkt);
  }
  if (item.op !== '==' && item.op !== '!=') return 'unknown';
  return compare(item.op, concatContains(fields, item.value, table));
}

/** `tcp dport < 1024` and the like; other relational matches are not decided. */
function relational(item: NftMatch, pkt: Packet): Tri {
  const [head, key] = item.selectors[0].words;
  if (!((head === 'tcp' || head === 'th') && key === 'dport') || item.value.kind !== 'atom')
    return 'unknown';
  const n = portOf(item.value.text);
  if (n === undefined) return 'unknown';
  const p = pkt.port;
  const holds =
    item.op === '<' ? p < n : item.op === '>' ? p > n : item.op === '<=' ? p <= n : p >= n;
  return holds ? 'yes' : 'no';
}

function concatContains(fields: (Field | Tri)[], value: NftValue, table: NftTable): Tri {
  const { items, partial } = elementsOf(value, table);
  const found = any(
    items.map((element) => {
      if (element.kind !== 'concat' || element.parts.length !== fields.length) return 'unknown';
      return all(
        element.parts.map((part, i) => {
          const f = fields[i];
          return typeof f === 'string' ? f : contains(part, f, table);
        }),
      );
    }),
  );
  return partial && found === 'no' ? 'unknown' : found;
}
