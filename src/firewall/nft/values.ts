/**
 * Values: what stands on the right of a match, in a set's elements or in a
 * define (atoms, ranges, `{ ... }` sets with per-element options, `@set`
 * references, lists, concatenations, mappings), and the device names a
 * value lists.
 */

import { BIT_OPS } from './keywords';
import type { Cursor } from './tokens';
import type { NftValue } from './types';

export function parseValue(c: Cursor, allowList: boolean): NftValue {
  const start = c.index;
  let value = parsePrimary(c);
  for (;;) {
    const t = c.peek();
    if (!t) break;
    if (t.kind === 'word' && t.text === '-') {
      c.next();
      value = { kind: 'range', from: value, to: parsePrimary(c) };
    } else if (t.kind === 'word' && t.text === '.') {
      c.next();
      const part = parsePrimary(c);
      value =
        value.kind === 'concat'
          ? { kind: 'concat', parts: [...value.parts, part] }
          : { kind: 'concat', parts: [value, part] };
    } else if (t.kind === 'word' && BIT_OPS.has(t.text)) {
      c.next();
      parsePrimary(c);
      value = { kind: 'expr', text: c.text(start) };
    } else if (allowList && t.kind === 'punct' && t.text === ',') {
      c.next();
      const item = parsePrimary(c);
      value =
        value.kind === 'list'
          ? { kind: 'list', items: [...value.items, item] }
          : { kind: 'list', items: [value, item] };
    } else {
      break;
    }
  }
  return value;
}

function parsePrimary(c: Cursor): NftValue {
  const start = c.index;
  const t = c.next('a value');
  if (t.kind === 'punct' && t.text === '{') return { kind: 'set', elements: parseSetElements(c) };
  if (t.kind === 'punct' && t.text === '(') {
    let depth = 1;
    while (depth > 0) {
      const u = c.next('")"');
      if (u.kind === 'punct' && (u.text === '(' || u.text === '{')) depth++;
      if (u.kind === 'punct' && (u.text === ')' || u.text === '}')) depth--;
    }
    return { kind: 'expr', text: c.text(start) };
  }
  if (t.kind === 'string') return { kind: 'atom', text: t.text, quoted: true };
  if (t.kind === 'word') {
    if (/^\$/.test(t.text)) throw c.error(`"${t.text}" is not defined`, t);
    if (t.text.startsWith('@') && t.text.length > 1) return { kind: 'ref', name: t.text.slice(1) };
    return { kind: 'atom', text: t.text, quoted: false };
  }
  throw c.error(`expected a value, not "${t.raw}"`, t);
}

const ELEMENT_OPTIONS = new Set(['timeout', 'expires', 'comment']);

/** After `{`: elements up to and including the closing `}`. */
function parseSetElements(c: Cursor): NftValue[] {
  const elements: NftValue[] = [];
  for (;;) {
    if (c.isPunct('}')) {
      c.next();
      return elements;
    }
    let element = parseValue(c, false);
    if (c.isWord(':')) {
      c.next();
      let value: NftValue;
      const t = c.peek();
      if (t && t.kind === 'word' && (t.text === 'jump' || t.text === 'goto')) {
        c.next();
        value = { kind: 'atom', text: `${t.text} ${c.name('a chain name')}`, quoted: false };
      } else {
        value = parseValue(c, false);
      }
      element = { kind: 'mapping', key: element, value };
    }
    // Per-element options: `10.0.0.1 timeout 1h comment "x"`, `counter packets 0 bytes 0`.
    for (;;) {
      const t = c.peek();
      if (!t || t.kind !== 'word') break;
      if (ELEMENT_OPTIONS.has(t.text)) {
        c.next();
        c.next(`a value for "${t.text}"`);
      } else if (t.text === 'counter') {
        c.next();
        while (c.isWord('packets') || c.isWord('bytes')) {
          c.next();
          c.next('a number');
        }
      } else {
        throw c.error(`unexpected "${t.raw}" in a set`, t);
      }
    }
    elements.push(element);
    if (c.isPunct(',')) {
      c.next();
    } else if (!c.isPunct('}')) {
      const t = c.peek();
      throw c.error(t ? `expected "," or "}" in a set, not "${t.raw}"` : 'a set is not closed', t);
    }
  }
}

/** The device names in `devices = { ... }`; `?` for what is not a plain name. */
export function devicesOf(value: NftValue): string[] {
  const out: string[] = [];
  const walk = (v: NftValue): void => {
    if (v.kind === 'atom') out.push(v.text);
    else if (v.kind === 'set') v.elements.forEach(walk);
    else if (v.kind === 'list') v.items.forEach(walk);
    else out.push('?');
  };
  walk(value);
  return out;
}
