/**
 * Rule items: splits the tokens of one rule into matches, vmaps, statements
 * (counter, log, set updates, ...), opaque parts it cannot decide, and the
 * verdict.
 */

import { BIT_OPS, OPS, VERDICT_WORDS } from './keywords';
import { parseSelector } from './selectors';
import type { Cursor } from './tokens';
import type { NftOp, NftRuleItem, NftToken } from './types';
import { parseValue } from './values';

/** At a `{` or `(`: past the matching close. */
function skipBalanced(c: Cursor): void {
  let depth = 0;
  do {
    const t = c.next('a closing brace');
    if (t.kind === 'punct' && (t.text === '{' || t.text === '(')) depth++;
    if (t.kind === 'punct' && (t.text === '}' || t.text === ')')) depth--;
  } while (depth > 0);
}

function opaqueUntilVerdict(c: Cursor): NftRuleItem {
  const start = c.index;
  let depth = 0;
  while (!c.done()) {
    const t = c.peek() as NftToken;
    if (t.kind === 'punct' && (t.text === '{' || t.text === '(')) depth++;
    if (t.kind === 'punct' && (t.text === '}' || t.text === ')')) depth--;
    if (depth === 0 && t.kind === 'word' && VERDICT_WORDS.has(t.text) && c.index > start) break;
    c.next();
  }
  return { kind: 'opaque', text: c.text(start) };
}

function restAsText(c: Cursor, start: number): string {
  while (!c.done()) c.next();
  return c.text(start);
}

const REWRITES = new Set([
  'dnat',
  'snat',
  'masquerade',
  'redirect',
  'tproxy',
  'synproxy',
  'fwd',
  'dup',
]);
const LOG_OPTIONS = new Set(['prefix', 'level', 'group', 'snaplen', 'queue-threshold']);

export function parseRuleItems(c: Cursor): NftRuleItem[] {
  const items: NftRuleItem[] = [];
  while (!c.done()) {
    const item = parseRuleItem(c);
    if (item) items.push(item);
  }
  return items;
}

/** The item at the cursor; undefined for a comment, which is read and dropped. */
function parseRuleItem(c: Cursor): NftRuleItem | undefined {
  const start = c.index;
  const t = c.peek() as NftToken;
  const w = t.kind === 'word' ? t.text : '';
  if (w === 'accept' || w === 'drop' || w === 'return' || w === 'continue') {
    c.next();
    return { kind: 'verdict', verdict: { kind: w }, text: w };
  } else if (w === 'reject') {
    // reject [with <type> [type] <code>] [comment "..."]
    return { kind: 'verdict', verdict: { kind: 'reject' }, text: restAsText(c, start) };
  } else if (w === 'jump' || w === 'goto') {
    c.next();
    const target = c.name('a chain name');
    return { kind: 'verdict', verdict: { kind: w, target }, text: c.text(start) };
  } else if (w === 'queue' || REWRITES.has(w)) {
    const text = restAsText(c, start);
    return { kind: 'verdict', verdict: { kind: 'other', text }, text };
  } else if (w === 'comment') {
    c.next();
    c.name('a comment');
    return undefined;
  } else if (w === 'counter') {
    return parseCounter(c, start);
  } else if (w === 'log') {
    return parseLog(c, start);
  } else if (w === 'limit') {
    return parseLimit(c, start);
  } else if (w === 'notrack') {
    c.next();
    return { kind: 'statement', text: w };
  } else if ((w === 'add' || w === 'update' || w === 'delete') && c.peek(1)?.text.startsWith('@')) {
    return parseSetUpdate(c, start, w);
  } else {
    return parseSelectorItem(c, start);
  }
}

/** At `counter`: `counter [name <name>] [packets <n>] [bytes <n>]`. */
function parseCounter(c: Cursor, start: number): NftRuleItem {
  c.next();
  if (c.isWord('name')) {
    c.next();
    c.name('a counter name');
  }
  while (c.isWord('packets') || c.isWord('bytes')) {
    c.next();
    c.next('a number');
  }
  return { kind: 'statement', text: c.text(start) };
}

/** At `log`: `log` with its options. */
function parseLog(c: Cursor, start: number): NftRuleItem {
  c.next();
  for (;;) {
    const o = c.peek();
    if (o && o.kind === 'word' && LOG_OPTIONS.has(o.text)) {
      c.next();
      c.next(`a value for "${o.text}"`);
    } else if (o && o.kind === 'word' && o.text === 'flags') {
      c.next();
      parseValue(c, true);
    } else {
      break;
    }
  }
  return { kind: 'statement', text: c.text(start) };
}

/** At `limit`: `limit rate [over] <rate> [burst <n> [unit]]`, kept opaque. */
function parseLimit(c: Cursor, start: number): NftRuleItem {
  c.next();
  if (!c.isWord('rate')) throw c.error('expected "rate" after "limit"');
  c.next();
  if (c.isWord('over')) c.next();
  // 10/minute, 10 /minute, 1 mbytes/second
  let seen = 0;
  while (seen < 3) {
    const r = c.next('a rate');
    seen++;
    if (r.text.includes('/')) break;
    if (seen === 3) throw c.error(`cannot read the rate of "${c.text(start)}"`, r);
  }
  if (c.isWord('burst')) {
    c.next();
    c.next('a burst size');
    const u = c.peek();
    if (u && u.kind === 'word' && /^(packets|bytes|kbytes|mbytes)$/.test(u.text)) c.next();
  }
  return { kind: 'opaque', text: c.text(start) };
}

/** At `add @set { ... }`, `update @set { ... }` or `delete @set { ... }`. */
function parseSetUpdate(c: Cursor, start: number, w: string): NftRuleItem {
  c.next();
  const ref = c.next();
  // { ip saddr }, { ip saddr limit rate 10/second }: expressions, not values.
  if (!c.isPunct('{')) throw c.error(`expected "{" after "${w} ${ref.text}"`);
  skipBalanced(c);
  return { kind: 'statement', text: c.text(start), updates: ref.text.slice(1) };
}

/**
 * At anything else: selectors (`ip saddr . tcp dport`) and what follows them,
 * a `set` statement, a vmap or a match; opaque when no known selector starts it.
 */
function parseSelectorItem(c: Cursor, start: number): NftRuleItem {
  const first = parseSelector(c);
  if (!first) return opaqueUntilVerdict(c);
  const selectors = [first];
  let concatBroken = false;
  while (c.isWord('.')) {
    const dot = c.index;
    c.next();
    const more = parseSelector(c);
    if (!more) {
      c.index = dot;
      concatBroken = true;
      break;
    }
    selectors.push(more);
  }
  if (concatBroken) {
    c.index = start;
    return opaqueUntilVerdict(c);
  }
  if (c.isWord('set')) {
    c.next();
    parseValue(c, false);
    return { kind: 'statement', text: c.text(start) };
  }
  if (c.isWord('vmap')) {
    c.next();
    const map = parseValue(c, false);
    return { kind: 'vmap', selectors, map, text: c.text(start) };
  }
  let masked = false;
  const b = c.peek();
  if (b && b.kind === 'word' && BIT_OPS.has(b.text)) {
    c.next();
    parseValue(c, false);
    masked = true;
  }
  let op: NftOp = '==';
  const o = c.peek();
  const written = o && o.kind === 'word' ? OPS.get(o.text) : undefined;
  if (written) {
    op = written;
    c.next();
  }
  const v = c.peek();
  if (!v || (v.kind === 'word' && VERDICT_WORDS.has(v.text))) {
    throw c.error(`"${c.text(start)}" needs a value to compare with`, v);
  }
  const value = parseValue(c, true);
  return { kind: 'match', selectors, op, value, masked, text: c.text(start) };
}
