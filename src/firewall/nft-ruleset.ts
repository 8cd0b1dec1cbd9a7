/**
 * A tokenizer and parser for the part of nftables syntax that the firewall
 * checks need: what `nft -f` reads as one file, with `define`s, tables, named
 * sets and maps, base and regular chains, and rules kept as a list of items
 * (matches, statements, a verdict) with the 1-based line of each rule. Pure.
 *
 * The parser knows the shape of a rule well enough to split it into items; it
 * does not judge what a match means (see ssh-reach.ts). What it cannot split
 * is kept as an `opaque` item, which a conservative reader treats as "might
 * match". Commands it does not model at all (`add rule`, `include`, ...) are
 * a parse error: a check must not pass a file it only half read.
 */

export type NftFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

const FAMILIES: ReadonlySet<string> = new Set(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev']);

/** Where a token was written: the `$NAME` reference for a token that came from a define. */
interface Span {
  raw: string;
  line: number;
  start: number;
  end: number;
}

export interface NftToken {
  kind: 'word' | 'string' | 'punct' | 'nl';
  /** The text; for a string, without its quotes. */
  text: string;
  /** As written in the file (a string with its quotes). */
  raw: string;
  line: number;
  start: number;
  end: number;
  /** Set on the tokens a `$NAME` stands for: the reference as written. */
  via?: Span;
}

/** A value on the right of a match, in a set's elements or a define. */
export type NftValue =
  | { kind: 'atom'; text: string; quoted: boolean }
  | { kind: 'range'; from: NftValue; to: NftValue }
  | { kind: 'set'; elements: NftValue[] }
  | { kind: 'ref'; name: string }
  | { kind: 'list'; items: NftValue[] }
  | { kind: 'concat'; parts: NftValue[] }
  | { kind: 'mapping'; key: NftValue; value: NftValue }
  /** Something kept whole and not interpreted (bit operations, parentheses). */
  | { kind: 'expr'; text: string };

/** What a match looks at, e.g. `ip saddr` is `['ip', 'saddr']`. */
export interface NftSelector {
  words: string[];
  text: string;
}

export type NftOp = '==' | '!=' | '<' | '>' | '<=' | '>=';

export type NftVerdict =
  | { kind: 'accept' | 'drop' | 'reject' | 'return' | 'continue' }
  | { kind: 'jump' | 'goto'; target: string }
  /** `queue`, NAT and other terminal statements whose effect on the packet is not modelled. */
  | { kind: 'other'; text: string };

export type NftRuleItem =
  | {
      kind: 'match';
      /** More than one for a concatenation (`ip saddr . tcp dport`). */
      selectors: NftSelector[];
      op: NftOp;
      value: NftValue;
      /** The selector went through a bit operation (`tcp flags & syn == syn`). */
      masked: boolean;
      text: string;
    }
  /** Not understood, or not decidable from the file (`limit rate ...`): a match that may or may not hold. */
  | { kind: 'opaque'; text: string }
  /** Does not decide anything (counter, log, `meta mark set`, ...). `updates` names a set it adds to. */
  | { kind: 'statement'; text: string; updates?: string }
  | { kind: 'verdict'; verdict: NftVerdict; text: string }
  /** `<selector> vmap { key : verdict, ... }` or `vmap @name`. */
  | { kind: 'vmap'; selectors: NftSelector[]; map: NftValue; text: string };

export interface NftRule {
  line: number;
  /** The rule as written, on one line, `$NAME`s unexpanded. */
  text: string;
  items: NftRuleItem[];
}

export interface NftBaseChain {
  type: string;
  hook: string;
  priority: number;
  policy: 'accept' | 'drop';
  /** The line of the `policy` statement, or of the `type` statement when there is none. */
  policyLine: number;
  /** For ingress chains: the devices named. */
  devices: string[];
  line: number;
}

export interface NftChain {
  name: string;
  line: number;
  base: NftBaseChain | undefined;
  rules: NftRule[];
}

export interface NftSet {
  name: string;
  kind: 'set' | 'map';
  line: number;
  flags: string[];
  elements: NftValue[];
  /** Elements may change at run time (`flags dynamic`/`timeout`, or a rule adds to it). */
  dynamic: boolean;
}

export interface NftTable {
  family: NftFamily;
  name: string;
  line: number;
  sets: Map<string, NftSet>;
  chains: Map<string, NftChain>;
}

export interface NftRuleset {
  /** Tables left after the whole file ran, in the order they were first declared. */
  tables: NftTable[];
}

export class NftParseError extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = 'NftParseError';
  }
}

// ---------------------------------------------------------------------------
// Tokens

const PUNCT = '{}();,=';
const WORD_END = new Set([...' \t\r\f\v\n"#\\', ...PUNCT]);
const OPERATOR_PREFIXES = ['!=', '==', '<=', '>=', '<<', '>>', '<', '>'];

export function tokenize(text: string): NftToken[] {
  const tokens: NftToken[] = [];
  let i = 0;
  let line = 1;
  const push = (kind: NftToken['kind'], value: string, start: number, end: number): void => {
    tokens.push({ kind, text: value, raw: text.slice(start, end), line, start, end });
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      push('nl', '\n', i, i + 1);
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '\\') {
      // A line continuation: the backslash, maybe blanks, then the end of the line.
      let j = i + 1;
      while (j < text.length && (text[j] === ' ' || text[j] === '\t' || text[j] === '\r')) j++;
      if (j < text.length && text[j] !== '\n') {
        throw new NftParseError(line, 'a backslash is only allowed at the end of a line');
      }
      if (j < text.length) line++;
      i = j + 1;
    } else if (c === '"') {
      const close = text.indexOf('"', i + 1);
      const eol = text.indexOf('\n', i + 1);
      if (close < 0 || (eol >= 0 && eol < close)) {
        throw new NftParseError(line, 'a string is not closed on its line');
      }
      push('string', text.slice(i + 1, close), i, close + 1);
      i = close + 1;
    } else if (OPERATOR_PREFIXES.some((op) => text.startsWith(op, i))) {
      const op = OPERATOR_PREFIXES.find((o) => text.startsWith(o, i)) as string;
      push('word', op, i, i + op.length);
      i += op.length;
    } else if (PUNCT.includes(c)) {
      push('punct', c, i, i + 1);
      i++;
    } else {
      const start = i;
      while (i < text.length && !WORD_END.has(text[i])) i++;
      const word = text.slice(start, i);
      // `established: accept` in a verdict map; an IPv6 address may end in `::`, not in `:`.
      if (word.length > 1 && word.endsWith(':') && !word.endsWith('::')) {
        push('word', word.slice(0, -1), start, i - 1);
        push('word', ':', i - 1, i);
      } else {
        push('word', word, start, i);
      }
    }
  }
  return tokens;
}

/** A rule or statement as written, on one line: tokens next to each other stay together. */
function sourceText(tokens: readonly NftToken[]): string {
  let out = '';
  let prevEnd = -1;
  let prevVia: Span | undefined;
  for (const t of tokens) {
    if (t.via) {
      if (t.via === prevVia) continue;
      if (out && t.via.start !== prevEnd) out += ' ';
      out += t.via.raw;
      prevEnd = t.via.end;
      prevVia = t.via;
      continue;
    }
    if (out && t.start !== prevEnd) out += ' ';
    out += t.raw;
    prevEnd = t.end;
    prevVia = undefined;
  }
  return out;
}

function lineOf(t: NftToken): number {
  return t.via ? t.via.line : t.line;
}

// ---------------------------------------------------------------------------
// A cursor over the tokens of one statement (no newlines, no terminators).

const OPS: ReadonlyMap<string, NftOp> = new Map([
  ['==', '=='],
  ['eq', '=='],
  ['!=', '!='],
  ['ne', '!='],
  ['<', '<'],
  ['lt', '<'],
  ['>', '>'],
  ['gt', '>'],
  ['<=', '<='],
  ['le', '<='],
  ['>=', '>='],
  ['ge', '>='],
]);
const BIT_OPS = new Set(['&', '|', '^', '<<', '>>']);
const VERDICT_WORDS = new Set([
  'accept',
  'drop',
  'reject',
  'return',
  'continue',
  'jump',
  'goto',
  'queue',
]);

class Cursor {
  private pos = 0;
  constructor(
    readonly tokens: NftToken[],
    private readonly fallbackLine: number,
  ) {}

  get index(): number {
    return this.pos;
  }
  set index(i: number) {
    this.pos = i;
  }
  done(): boolean {
    return this.pos >= this.tokens.length;
  }
  peek(offset = 0): NftToken | undefined {
    return this.tokens[this.pos + offset];
  }
  /** The next token when it is a word with this text. */
  isWord(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'word' && t.text === text;
  }
  isPunct(text: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }
  next(what = 'more'): NftToken {
    const t = this.tokens[this.pos];
    if (!t) throw this.error(`expected ${what} at the end of the statement`);
    this.pos++;
    return t;
  }
  expectPunct(text: string): NftToken {
    const t = this.next(`"${text}"`);
    if (t.kind !== 'punct' || t.text !== text)
      throw this.error(`expected "${text}", not "${t.raw}"`, t);
    return t;
  }
  /** A name or other single word (a quoted string counts). */
  name(what: string): string {
    const t = this.next(what);
    if (t.kind !== 'word' && t.kind !== 'string')
      throw this.error(`expected ${what}, not "${t.raw}"`, t);
    return t.text;
  }
  line(): number {
    const t = this.peek() ?? this.tokens[this.tokens.length - 1];
    return t ? lineOf(t) : this.fallbackLine;
  }
  error(message: string, at?: NftToken): NftParseError {
    return new NftParseError(at ? lineOf(at) : this.line(), message);
  }
  text(from: number, to = this.pos): string {
    return sourceText(this.tokens.slice(from, to));
  }
}

// ---------------------------------------------------------------------------
// Values

function parseValue(c: Cursor, allowList: boolean): NftValue {
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

// ---------------------------------------------------------------------------
// Rules

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
function parseSelector(c: Cursor): NftSelector | undefined {
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

function parseRuleItems(c: Cursor): NftRuleItem[] {
  const items: NftRuleItem[] = [];
  while (!c.done()) {
    const start = c.index;
    const t = c.peek() as NftToken;
    const w = t.kind === 'word' ? t.text : '';
    if (w === 'accept' || w === 'drop' || w === 'return' || w === 'continue') {
      c.next();
      items.push({ kind: 'verdict', verdict: { kind: w }, text: w });
    } else if (w === 'reject') {
      // reject [with <type> [type] <code>] [comment "..."]
      items.push({ kind: 'verdict', verdict: { kind: 'reject' }, text: restAsText(c, start) });
    } else if (w === 'jump' || w === 'goto') {
      c.next();
      const target = c.name('a chain name');
      items.push({ kind: 'verdict', verdict: { kind: w, target }, text: c.text(start) });
    } else if (w === 'queue' || REWRITES.has(w)) {
      const text = restAsText(c, start);
      items.push({ kind: 'verdict', verdict: { kind: 'other', text }, text });
    } else if (w === 'comment') {
      c.next();
      c.name('a comment');
    } else if (w === 'counter') {
      c.next();
      if (c.isWord('name')) {
        c.next();
        c.name('a counter name');
      }
      while (c.isWord('packets') || c.isWord('bytes')) {
        c.next();
        c.next('a number');
      }
      items.push({ kind: 'statement', text: c.text(start) });
    } else if (w === 'log') {
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
      items.push({ kind: 'statement', text: c.text(start) });
    } else if (w === 'limit') {
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
      items.push({ kind: 'opaque', text: c.text(start) });
    } else if (w === 'notrack') {
      c.next();
      items.push({ kind: 'statement', text: w });
    } else if (
      (w === 'add' || w === 'update' || w === 'delete') &&
      c.peek(1)?.text.startsWith('@')
    ) {
      c.next();
      const ref = c.next();
      // { ip saddr }, { ip saddr limit rate 10/second }: expressions, not values.
      if (!c.isPunct('{')) throw c.error(`expected "{" after "${w} ${ref.text}"`);
      skipBalanced(c);
      items.push({ kind: 'statement', text: c.text(start), updates: ref.text.slice(1) });
    } else {
      const first = parseSelector(c);
      if (!first) {
        items.push(opaqueUntilVerdict(c));
        continue;
      }
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
        items.push(opaqueUntilVerdict(c));
        continue;
      }
      if (c.isWord('set')) {
        c.next();
        parseValue(c, false);
        items.push({ kind: 'statement', text: c.text(start) });
        continue;
      }
      if (c.isWord('vmap')) {
        c.next();
        const map = parseValue(c, false);
        items.push({ kind: 'vmap', selectors, map, text: c.text(start) });
        continue;
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
      items.push({ kind: 'match', selectors, op, value, masked, text: c.text(start) });
    }
  }
  return items;
}

// ---------------------------------------------------------------------------
// Statements and blocks

const NAMED_PRIORITIES: Readonly<Record<string, number>> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
  out: 100,
};

const SET_OPTIONS = new Set([
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
const TABLE_OBJECTS = new Set([
  'counter',
  'quota',
  'limit',
  'ct',
  'flowtable',
  'secmark',
  'synproxy',
]);

class Parser {
  private readonly tokens: NftToken[];
  private pos = 0;
  private readonly defines = new Map<string, NftToken[]>();
  private tables: NftTable[] = [];

  constructor(text: string) {
    this.tokens = tokenize(text);
  }

  parse(): NftRuleset {
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (this.isSeparator(t)) {
        this.pos++;
        continue;
      }
      this.topStatement();
    }
    for (const table of this.tables) validateTable(table);
    return { tables: this.tables };
  }

  // -- token stream, with `$NAME` expanded where it is read

  private peek(): NftToken | undefined {
    const t = this.tokens[this.pos];
    if (t && t.kind === 'word' && /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(t.text)) {
      const body = this.defines.get(t.text.slice(1));
      if (!body) throw new NftParseError(lineOf(t), `"${t.text}" is not defined`);
      const via: Span = t.via ?? { raw: t.raw, line: t.line, start: t.start, end: t.end };
      this.tokens.splice(this.pos, 1, ...body.map((b) => ({ ...b, via })));
      return this.tokens[this.pos];
    }
    return t;
  }

  private next(): NftToken | undefined {
    const t = this.peek();
    if (t) this.pos++;
    return t;
  }

  private isSeparator(t: NftToken): boolean {
    return t.kind === 'nl' || (t.kind === 'punct' && t.text === ';');
  }

  private lastLine(): number {
    const t = this.tokens[Math.min(this.pos, this.tokens.length) - 1];
    return t ? lineOf(t) : 1;
  }

  /**
   * The tokens of one statement: up to a newline or `;` outside braces, or up to
   * (not including) the `}` that closes the enclosing block. Newlines inside
   * braces and parentheses are dropped.
   */
  private statement(): Cursor {
    const out: NftToken[] = [];
    let depth = 0;
    const first = this.peek();
    const firstLine = first ? lineOf(first) : this.lastLine();
    for (;;) {
      const t = this.peek();
      if (!t) {
        if (depth > 0) throw new NftParseError(firstLine, 'a "{" is not closed');
        break;
      }
      if (depth === 0 && (this.isSeparator(t) || (t.kind === 'punct' && t.text === '}'))) break;
      this.pos++;
      if (t.kind === 'nl') continue;
      if (t.kind === 'punct' && (t.text === '{' || t.text === '(')) depth++;
      if (t.kind === 'punct' && (t.text === '}' || t.text === ')')) depth--;
      out.push(t);
    }
    return new Cursor(out, firstLine);
  }

  /** The words of a block header (`table inet x`, `chain input`), up to a `{` or the end of the statement. */
  private header(): Cursor {
    const out: NftToken[] = [];
    const first = this.peek();
    const firstLine = first ? lineOf(first) : this.lastLine();
    for (;;) {
      const t = this.peek();
      if (!t || this.isSeparator(t) || (t.kind === 'punct' && (t.text === '{' || t.text === '}')))
        break;
      this.pos++;
      out.push(t);
    }
    return new Cursor(out, firstLine);
  }

  private atOpenBrace(): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'punct' && t.text === '{';
  }

  /** Skips separators; true when the next token closes the block (and consumes it). */
  private blockEnd(openLine: number, what: string): boolean {
    for (;;) {
      const t = this.peek();
      if (!t) throw new NftParseError(openLine, `${what} is not closed with "}"`);
      if (this.isSeparator(t)) {
        this.pos++;
        continue;
      }
      if (t.kind === 'punct' && t.text === '}') {
        this.pos++;
        return true;
      }
      return false;
    }
  }

  private expectOpenBrace(c: Cursor, what: string): void {
    this.endOf(c);
    const t = this.next();
    if (!t || t.kind !== 'punct' || t.text !== '{') {
      throw new NftParseError(t ? lineOf(t) : this.lastLine(), `expected "{" after ${what}`);
    }
  }

  // -- top level

  private topStatement(): void {
    const head = this.peek() as NftToken;
    const line = lineOf(head);
    if (head.kind !== 'word') throw new NftParseError(line, `unexpected "${head.raw}"`);
    switch (head.text) {
      case 'define':
      case 'redefine': {
        this.pos++;
        const c = this.statement();
        const name = c.name('a name');
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw c.error(`"${name}" is not a valid name`);
        c.expectPunct('=');
        if (c.done()) throw c.error(`"define ${name}" has no value`);
        if (head.text === 'define' && this.defines.has(name))
          throw c.error(`"${name}" is already defined`);
        this.defines.set(name, c.tokens.slice(c.index));
        return;
      }
      case 'undefine': {
        this.pos++;
        const c = this.statement();
        this.defines.delete(c.name('a name'));
        return this.endOf(c);
      }
      case 'flush': {
        this.pos++;
        const c = this.statement();
        const what = c.name('"ruleset", "table" or "chain"');
        if (what === 'ruleset') {
          const family = c.done() ? undefined : this.family(c);
          this.tables = family ? this.tables.filter((t) => t.family !== family) : [];
        } else if (what === 'table') {
          const [family, name] = this.tableRef(c);
          const table = this.findTable(family, name);
          if (table) for (const chain of table.chains.values()) chain.rules = [];
        } else if (what === 'chain') {
          const [family, name] = this.tableRef(c);
          const chain = this.findTable(family, name)?.chains.get(c.name('a chain name'));
          if (chain) chain.rules = [];
        } else {
          throw new NftParseError(line, `"flush ${what}" is not supported by this check`);
        }
        return this.endOf(c);
      }
      case 'delete':
      case 'destroy': {
        this.pos++;
        const c = this.statement();
        const what = c.name('"table" or "chain"');
        if (what === 'table') {
          const [family, name] = this.tableRef(c);
          this.tables = this.tables.filter((t) => t.family !== family || t.name !== name);
        } else if (what === 'chain') {
          const [family, name] = this.tableRef(c);
          this.findTable(family, name)?.chains.delete(c.name('a chain name'));
        } else {
          throw new NftParseError(line, `"${head.text} ${what}" is not supported by this check`);
        }
        return this.endOf(c);
      }
      case 'add':
      case 'create': {
        const what = this.tokens[this.pos + 1];
        if (!what || what.kind !== 'word' || what.text !== 'table') {
          throw new NftParseError(
            line,
            `"${head.text}${what && what.kind === 'word' ? ` ${what.text}` : ''}" is not supported by this check`,
          );
        }
        this.pos++;
        return this.table();
      }
      case 'table':
        return this.table();
      default:
        throw new NftParseError(
          line,
          head.text === 'include' ||
            head.text === 'insert' ||
            head.text === 'replace' ||
            head.text === 'list'
            ? `"${head.text}" is not supported by this check`
            : `unexpected "${head.raw}"`,
        );
    }
  }

  private endOf(c: Cursor): void {
    if (!c.done()) {
      const t = c.peek() as NftToken;
      throw c.error(`unexpected "${t.raw}"`, t);
    }
  }

  private family(c: Cursor): NftFamily {
    const f = c.name('a family');
    if (!FAMILIES.has(f)) throw c.error(`"${f}" is not an address family`);
    return f as NftFamily;
  }

  /** `[family] name` (the family defaults to ip). */
  private tableRef(c: Cursor): [NftFamily, string] {
    const t = c.peek();
    const after = c.peek(1);
    let family: NftFamily = 'ip';
    if (t && FAMILIES.has(t.text) && after && (after.kind === 'word' || after.kind === 'string')) {
      family = this.family(c);
    }
    return [family, c.name('a table name')];
  }

  private findTable(family: NftFamily, name: string): NftTable | undefined {
    return this.tables.find((t) => t.family === family && t.name === name);
  }

  private table(): void {
    const head = this.next() as NftToken; // `table`
    const c = this.header();
    const [family, name] = this.tableRef(c);
    let table = this.findTable(family, name);
    if (!table) {
      table = { family, name, line: lineOf(head), sets: new Map(), chains: new Map() };
      this.tables.push(table);
    }
    this.endOf(c);
    if (this.atOpenBrace()) {
      this.pos++;
      this.tableBody(table, lineOf(head));
    } else {
      this.endOf(c);
    }
  }

  private tableBody(table: NftTable, openLine: number): void {
    while (!this.blockEnd(openLine, `table ${table.family} ${table.name}`)) {
      const head = this.peek() as NftToken;
      const line = lineOf(head);
      if (head.kind === 'word' && (head.text === 'set' || head.text === 'map')) {
        this.pos++;
        const c = this.header();
        const name = c.name(`a ${head.text} name`);
        this.expectOpenBrace(c, `${head.text} ${name}`);
        table.sets.set(name, this.setBody(head.text, name, line));
      } else if (head.kind === 'word' && head.text === 'chain') {
        this.pos++;
        const c = this.header();
        const name = c.name('a chain name');
        let chain = table.chains.get(name);
        if (!chain) {
          chain = { name, line, base: undefined, rules: [] };
          table.chains.set(name, chain);
        }
        this.endOf(c);
        if (this.atOpenBrace()) {
          this.pos++;
          this.chainBody(chain, line);
        }
      } else if (head.kind === 'word' && (head.text === 'flags' || head.text === 'comment')) {
        this.statement();
      } else if (head.kind === 'word' && TABLE_OBJECTS.has(head.text)) {
        this.statement(); // the whole declaration, its { ... } included
      } else {
        throw new NftParseError(
          line,
          `unexpected "${head.raw}" in table ${table.family} ${table.name}`,
        );
      }
    }
  }

  private setBody(kind: 'set' | 'map', name: string, openLine: number): NftSet {
    const set: NftSet = { name, kind, line: openLine, flags: [], elements: [], dynamic: false };
    while (!this.blockEnd(openLine, `${kind} ${name}`)) {
      const c = this.statement();
      const key = c.name('a set option');
      if (key === 'flags') {
        const flags = parseValue(c, true);
        const items = flags.kind === 'list' ? flags.items : [flags];
        for (const f of items) if (f.kind === 'atom') set.flags.push(f.text);
        this.endOf(c);
      } else if (key === 'elements') {
        c.expectPunct('=');
        const value = parseValue(c, false);
        if (value.kind !== 'set')
          throw c.error(`the elements of ${kind} ${name} must be written { ... }`);
        set.elements.push(...value.elements);
        this.endOf(c);
      } else if (SET_OPTIONS.has(key)) {
        if (key === 'timeout') set.dynamic = true;
      } else {
        throw c.error(`unexpected "${key}" in ${kind} ${name}`);
      }
    }
    if (set.flags.includes('dynamic') || set.flags.includes('timeout')) set.dynamic = true;
    return set;
  }

  private chainBody(chain: NftChain, openLine: number): void {
    while (!this.blockEnd(openLine, `chain ${chain.name}`)) {
      const c = this.statement();
      const first = c.peek() as NftToken;
      const line = lineOf(first);
      if (first.kind === 'word' && first.text === 'type') {
        chain.base = this.baseChain(c, line, chain.base);
      } else if (first.kind === 'word' && first.text === 'policy') {
        c.next();
        const policy = c.name('"accept" or "drop"');
        if (policy !== 'accept' && policy !== 'drop')
          throw c.error(`the policy must be accept or drop, not "${policy}"`);
        this.endOf(c);
        if (!chain.base)
          throw new NftParseError(
            line,
            `chain ${chain.name} has a policy but no "type ... hook ..."`,
          );
        chain.base.policy = policy;
        chain.base.policyLine = line;
      } else if (first.kind === 'word' && first.text === 'comment') {
        continue;
      } else if (first.kind === 'word' && first.text === 'devices') {
        c.next();
        c.expectPunct('=');
        if (chain.base) chain.base.devices = devicesOf(parseValue(c, false));
      } else if (first.kind === 'punct') {
        throw c.error(`unexpected "${first.raw}"`, first);
      } else {
        chain.rules.push({ line, text: c.text(0, c.tokens.length), items: parseRuleItems(c) });
      }
    }
  }

  private baseChain(c: Cursor, line: number, previous: NftBaseChain | undefined): NftBaseChain {
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
}

function devicesOf(value: NftValue): string[] {
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

/** Jump targets and named sets must exist, as nft itself requires. */
function validateTable(table: NftTable): void {
  const checkRef = (value: NftValue, line: number): void => {
    switch (value.kind) {
      case 'ref':
        if (!table.sets.has(value.name)) {
          throw new NftParseError(
            line,
            `table ${table.family} ${table.name} has no set "@${value.name}"`,
          );
        }
        return;
      case 'set':
        return value.elements.forEach((e) => checkRef(e, line));
      case 'list':
        return value.items.forEach((e) => checkRef(e, line));
      case 'concat':
        return value.parts.forEach((e) => checkRef(e, line));
      case 'range':
        checkRef(value.from, line);
        return checkRef(value.to, line);
      case 'mapping':
        checkRef(value.key, line);
        if (value.value.kind === 'atom') {
          const m = /^(?:jump|goto) (.+)$/.exec(value.value.text);
          if (m) checkChain(m[1], line);
        }
        return;
      default:
        return;
    }
  };
  const checkChain = (name: string, line: number): void => {
    const target = table.chains.get(name);
    if (!target)
      throw new NftParseError(line, `table ${table.family} ${table.name} has no chain "${name}"`);
    if (target.base)
      throw new NftParseError(line, `"${name}" is a base chain: it cannot be a jump target`);
  };
  for (const chain of table.chains.values()) {
    for (const rule of chain.rules) {
      for (const item of rule.items) {
        if (item.kind === 'match') checkRef(item.value, rule.line);
        if (item.kind === 'vmap') checkRef(item.map, rule.line);
        if (
          item.kind === 'verdict' &&
          (item.verdict.kind === 'jump' || item.verdict.kind === 'goto')
        ) {
          checkChain(item.verdict.target, rule.line);
        }
        if (item.kind === 'statement' && item.updates !== undefined) {
          const set = table.sets.get(item.updates);
          if (!set)
            throw new NftParseError(
              rule.line,
              `table ${table.family} ${table.name} has no set "@${item.updates}"`,
            );
          set.dynamic = true;
        }
      }
    }
  }
  for (const set of table.sets.values()) {
    for (const e of set.elements) checkRef(e, set.line);
  }
}

/** Parses a whole `nft -f` file. Throws NftParseError, naming the line, on what it cannot read. */
export function parseNftRuleset(text: string): NftRuleset {
  return new Parser(text).parse();
}
