/**
 * Does an nftables ruleset still let the controller's SSH traffic in? Used at
 * plan time to refuse a ruleset that would lock the tool out. Pure and
 * conservative: `ok` only when the ruleset provably accepts both a new
 * connection and the established one; `certain` only when no accept that can
 * be proven applies (an accept behind a condition that cannot be checked, such
 * as an interface name or a rate limit, is not relied on).
 *
 * Two TCP packets are followed, from `probe.source` to `probe.port`, on an
 * interface that is not `lo`: one with conntrack state `new`, one
 * `established`. Each must pass every base chain of a family that sees it, on
 * the hooks an incoming packet meets (ingress, prerouting, input), in
 * priority order. Within a chain, rules run in order with jump, goto and
 * return; a drop or reject is final; the end of a base chain applies its
 * policy.
 *
 * A condition that cannot be decided from the file forks the walk: the path
 * where it does not match is the main one (its outcome decides `certain`),
 * and any drop reachable on a path where it matches makes the verdict
 * "cannot prove" (`certain: false`).
 */
import { isIP } from 'node:net';
import {
  NftParseError,
  parseNftRuleset,
  type NftChain,
  type NftOp,
  type NftRule,
  type NftRuleItem,
  type NftSelector,
  type NftTable,
  type NftValue,
  type NftVerdict,
} from './nft-ruleset';

export interface ReachProbe {
  /** IPv4 or IPv6 literal of the controller, as the host sees it. */
  source: string;
  /** The host's SSH port. */
  port: number;
}

export type ReachVerdict =
  { ok: true } | { ok: false; certain: boolean; line: number; reason: string };

type Tri = 'yes' | 'no' | 'unknown';
type ConnState = 'new' | 'established';

interface Packet {
  family: 4 | 6;
  address: bigint;
  port: number;
  state: ConnState;
}

// ---------------------------------------------------------------------------
// Addresses

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const g of [...head, ...new Array<number>(missing).fill(0), ...tail]) {
    value = (value << 16n) | BigInt(g);
  }
  return value;
}

function parseAddress(text: string, family: 4 | 6): bigint | undefined {
  return family === 4 ? parseIpv4(text) : parseIpv6(text);
}

/** The probe's source; an IPv4-mapped IPv6 address is the IPv4 packet it stands for. */
function probeAddress(source: string): { family: 4 | 6; address: bigint } | undefined {
  const bare = source
    .trim()
    .replace(/%.*$/, '')
    .replace(/^\[(.*)\]$/, '$1');
  const kind = isIP(bare);
  if (kind === 4) return { family: 4, address: parseIpv4(bare) as bigint };
  if (kind !== 6) return undefined;
  const address = parseIpv6(bare);
  if (address === undefined) return undefined;
  if (address >> 32n === 0xffffn) return { family: 4, address: address & 0xffffffffn };
  return { family: 6, address };
}

/** Whether an address, prefix or range written in a rule holds the packet's source. */
function addressMatch(text: string, pkt: Packet): Tri {
  const bits = pkt.family === 4 ? 32 : 128;
  const dash = text.indexOf('-');
  if (dash > 0) return addressRange(text.slice(0, dash), text.slice(dash + 1), pkt);
  const slash = text.indexOf('/');
  const base = parseAddress(slash >= 0 ? text.slice(0, slash) : text, pkt.family);
  if (base === undefined) return 'unknown'; // a host name (resolved by nft) or the other family
  let prefix = bits;
  if (slash >= 0) {
    if (!/^\d{1,3}$/.test(text.slice(slash + 1))) return 'unknown';
    prefix = Number(text.slice(slash + 1));
    if (prefix > bits) return 'unknown';
  }
  const shift = BigInt(bits - prefix);
  return pkt.address >> shift === base >> shift ? 'yes' : 'no';
}

function addressRange(from: string, to: string, pkt: Packet): Tri {
  const a = parseAddress(from, pkt.family);
  const b = parseAddress(to, pkt.family);
  if (a === undefined || b === undefined) return 'unknown';
  return pkt.address >= a && pkt.address <= b ? 'yes' : 'no';
}

// ---------------------------------------------------------------------------
// Names nft knows

/** A table lookup that a name such as "constructor" cannot reach past. */
function own(table: Readonly<Record<string, number>>, key: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

const SERVICES: Readonly<Record<string, number>> = {
  ssh: 22,
  http: 80,
  https: 443,
  ftp: 21,
  telnet: 23,
  smtp: 25,
  domain: 53,
  pop3: 110,
  imap: 143,
  imaps: 993,
  pop3s: 995,
  submission: 587,
  mysql: 3306,
  postgresql: 5432,
};

function portOf(text: string): number | undefined {
  if (/^\d{1,5}$/.test(text)) return Number(text);
  return own(SERVICES, text);
}

const L4_PROTOCOLS: Readonly<Record<string, number>> = {
  icmp: 1,
  igmp: 2,
  ipip: 4,
  tcp: 6,
  egp: 8,
  udp: 17,
  ipv6: 41,
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  'ipv6-icmp': 58,
  icmpv6: 58,
  comp: 108,
  vrrp: 112,
  l2tp: 115,
  sctp: 132,
  udplite: 136,
  dccp: 33,
};

/** Protocols whose header a `<protocol> <field>` match needs: a TCP packet never has them. */
const NOT_TCP = new Set([
  'udp',
  'udplite',
  'sctp',
  'dccp',
  'icmp',
  'icmpv6',
  'igmp',
  'ah',
  'esp',
  'comp',
  'gre',
  'arp',
]);

// ---------------------------------------------------------------------------
// Matches

function not(t: Tri): Tri {
  return t === 'yes' ? 'no' : t === 'no' ? 'yes' : 'unknown';
}

function any(ts: Iterable<Tri>): Tri {
  let result: Tri = 'no';
  for (const t of ts) {
    if (t === 'yes') return 'yes';
    if (t === 'unknown') result = 'unknown';
  }
  return result;
}

function all(ts: Iterable<Tri>): Tri {
  let result: Tri = 'yes';
  for (const t of ts) {
    if (t === 'no') return 'no';
    if (t === 'unknown') result = 'unknown';
  }
  return result;
}

/** How to compare one written element with the packet. */
interface Field {
  atom(text: string): Tri;
  range(from: string, to: string): Tri;
}

const UNKNOWN_FIELD: Field = { atom: () => 'unknown', range: () => 'unknown' };

/** A selector's field for this packet, or a fixed answer whatever the value. */
function fieldOf(sel: NftSelector, pkt: Packet): Field | Tri {
  const [head, key, ...rest] = sel.words;
  // A header match on the other family, or on a protocol other than TCP, needs a
  // header the packet does not have: it does not match, negated or not.
  if ((head === 'ip' && pkt.family !== 4) || (head === 'ip6' && pkt.family !== 6)) return 'no';
  if (head === 'icmp' && pkt.family !== 4) return 'no';
  if (NOT_TCP.has(head)) return 'no';
  const meta = head === 'meta' ? key : sel.words.length === 1 ? head : undefined;
  if (meta === 'iif' || meta === 'iifname') {
    return { atom: (t) => (t === 'lo' ? 'no' : 'unknown'), range: () => 'unknown' };
  }
  if (meta === 'iiftype') {
    return { atom: (t) => (t === 'loopback' ? 'no' : 'unknown'), range: () => 'unknown' };
  }
  if (meta === 'pkttype') {
    return {
      atom: (t) =>
        t === 'host' ? 'yes' : /^(broadcast|multicast|other)$/.test(t) ? 'no' : 'unknown',
      range: () => 'unknown',
    };
  }
  if (
    meta === 'l4proto' ||
    (head === 'ip' && key === 'protocol') ||
    (head === 'ip6' && key === 'nexthdr')
  ) {
    return l4Field();
  }
  if (head === 'ct' && key === 'protocol' && rest.length === 0) return l4Field();
  if (meta === 'nfproto' || (head === 'ct' && key === 'l3proto' && rest.length === 0)) {
    return familyField(pkt, 'ipv4', 'ipv6');
  }
  if (head === 'meta' && key === 'protocol') return familyField(pkt, 'ip', 'ip6');
  if (head === 'ct' && key === 'state' && rest.length === 0) {
    return {
      atom: (t) =>
        t === pkt.state
          ? 'yes'
          : /^(new|established|related|invalid|untracked)$/.test(t)
            ? 'no'
            : 'unknown',
      range: () => 'unknown',
    };
  }
  if ((head === 'ip' || head === 'ip6') && key === 'saddr') {
    return { atom: (t) => addressMatch(t, pkt), range: (a, b) => addressRange(a, b, pkt) };
  }
  if ((head === 'tcp' || head === 'th') && key === 'dport') {
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
  return UNKNOWN_FIELD;
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
    range: () => 'unknown',
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
    range: () => 'unknown',
  };
}

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

/** The elements of a value, sets and named sets flattened (undefined: not all known). */
function elementsOf(value: NftValue, table: NftTable): { items: NftValue[]; partial: boolean } {
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

function evalMatch(
  item: Extract<NftRuleItem, { kind: 'match' }>,
  pkt: Packet,
  table: NftTable,
): Tri {
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
function relational(item: Extract<NftRuleItem, { kind: 'match' }>, pkt: Packet): Tri {
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

// ---------------------------------------------------------------------------
// Rules as steps: a rule with a verdict map becomes one step per element.

interface Step {
  rule: NftRule;
  /** Conditions: the rule's matches and opaque items, plus a map element's key. */
  conds: Cond[];
  verdict: NftVerdict | undefined;
}

type Cond =
  | { kind: 'item'; item: Extract<NftRuleItem, { kind: 'match' } | { kind: 'opaque' }> }
  | { kind: 'element'; selectors: NftSelector[]; key: NftValue; text: string };

function stepsOf(rule: NftRule, table: NftTable): Step[] {
  const conds: Cond[] = [];
  for (const item of rule.items) {
    if (item.kind === 'match' || item.kind === 'opaque') {
      conds.push({ kind: 'item', item });
    } else if (item.kind === 'verdict') {
      return [{ rule, conds, verdict: item.verdict }];
    } else if (item.kind === 'vmap') {
      const { items, partial } = elementsOf(item.map, table);
      const steps: Step[] = [];
      for (const element of items) {
        if (element.kind !== 'mapping' || element.value.kind !== 'atom') {
          steps.push({ rule, conds, verdict: { kind: 'other', text: item.text } });
          continue;
        }
        const key: NftValue = element.key;
        steps.push({
          rule,
          conds: [
            ...conds,
            {
              kind: 'element',
              selectors: item.selectors,
              key,
              text: `${item.selectors.map((s) => s.text).join(' . ')} ${render(key)}`,
            },
          ],
          verdict: verdictOf(element.value.text, item.text),
        });
      }
      if (partial) steps.push({ rule, conds, verdict: { kind: 'other', text: item.text } });
      return steps;
    }
  }
  return [{ rule, conds, verdict: undefined }];
}

function verdictOf(text: string, whole: string): NftVerdict {
  const m = /^(jump|goto) (.+)$/.exec(text);
  if (m) return { kind: m[1] as 'jump' | 'goto', target: m[2] };
  if (/^(accept|drop|reject|return|continue)$/.test(text)) {
    return { kind: text as 'accept' | 'drop' | 'reject' | 'return' | 'continue' };
  }
  return { kind: 'other', text: whole };
}

function render(value: NftValue): string {
  switch (value.kind) {
    case 'atom':
      return value.quoted ? `"${value.text}"` : value.text;
    case 'range':
      return `${render(value.from)}-${render(value.to)}`;
    case 'set':
      return `{ ${value.elements.map(render).join(', ')} }`;
    case 'ref':
      return `@${value.name}`;
    case 'list':
      return value.items.map(render).join(',');
    case 'concat':
      return value.parts.map(render).join(' . ');
    case 'mapping':
      return `${render(value.key)} : ${render(value.value)}`;
    case 'expr':
      return value.text;
  }
}

function evalCond(cond: Cond, pkt: Packet, table: NftTable): Tri {
  if (cond.kind === 'element') {
    const item = {
      kind: 'match' as const,
      selectors: cond.selectors,
      op: '==' as const,
      value: cond.key,
      masked: false,
      text: cond.text,
    };
    return evalMatch(item, pkt, table);
  }
  return cond.item.kind === 'opaque' ? 'unknown' : evalMatch(cond.item, pkt, table);
}

// ---------------------------------------------------------------------------
// Walking a base chain

/** Something assumed on a path to reach a drop. */
interface Assumption {
  line: number;
  kind: 'match' | 'effect' | 'device';
  text: string;
}

/** Follows "cannot tell ". */
function phrase(a: Assumption, dropLine: number): string {
  const where = a.line === dropLine ? '' : ` on line ${a.line}`;
  if (a.kind === 'device') return `whether it arrives on ${a.text}`;
  if (a.kind === 'effect') return `what "${a.text}"${where} does with it`;
  return `whether "${a.text}"${where} matches`;
}

interface Drop {
  line: number;
  /** The rule that drops it; undefined for a policy. */
  rule: string | undefined;
  assumptions: Assumption[];
}

interface Frame {
  chain: NftChain;
  index: number;
}

/** Jumps nest at most this deep in the kernel. */
const MAX_JUMP_DEPTH = 16;
/** Steps over all paths of one chain before giving up. */
const STEP_BUDGET = 200_000;

class CannotEvaluate extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

interface ChainOutcome {
  /** The path where nothing undecidable matches: accepted, or dropped for certain. */
  main: Drop | 'accept';
  /** The first drop reachable on another path. */
  maybe: Drop | undefined;
  /** Accepts on the main path that could not be relied on. */
  skipped: { line: number; conds: string[] }[];
}

class ChainWalk {
  private readonly steps = new Map<NftChain, Step[]>();
  private budget = STEP_BUDGET;
  private readonly visited = new Set<string>();
  maybe: Drop | undefined;
  readonly skipped: { line: number; conds: string[] }[] = [];

  constructor(
    private readonly table: NftTable,
    private readonly base: NftChain,
    private readonly pkt: Packet,
  ) {}

  private stepsOf(chain: NftChain): Step[] {
    let steps = this.steps.get(chain);
    if (!steps) {
      steps = chain.rules.flatMap((r) => stepsOf(r, this.table));
      this.steps.set(chain, steps);
    }
    return steps;
  }

  private policy(assumptions: Assumption[]): Drop | 'accept' {
    const base = this.base.base;
    if (!base || base.policy === 'accept') return 'accept';
    return { line: base.policyLine, rule: undefined, assumptions };
  }

  private recordMaybe(drop: Drop): void {
    if (!this.maybe) this.maybe = drop;
  }

  /**
   * Follows one path from the given stack. On the main path (`positive`
   * false) an undecidable condition is taken as not matching, and the other
   * branch is explored as a positive path, looking only for a drop.
   */
  run(stack: Frame[], positive: boolean, assumptions: Assumption[]): Drop | 'accept' {
    for (;;) {
      if (positive && this.maybe) return 'accept'; // one possible drop is all we report
      if (--this.budget < 0) {
        throw new CannotEvaluate(
          this.base.line,
          `chain "${this.base.name}" has too many paths to check`,
        );
      }
      const frame = stack[stack.length - 1];
      const steps = this.stepsOf(frame.chain);
      if (frame.index >= steps.length) {
        stack.pop();
        if (stack.length === 0) return this.policy(assumptions);
        continue;
      }
      const step = steps[frame.index++];
      if (!step.verdict || step.verdict.kind === 'continue') continue;
      const results = step.conds.map((c) => evalCond(c, this.pkt, this.table));
      const matched = all(results);
      if (matched === 'no') continue;
      const verdict = step.verdict;
      const line = step.rule.line;
      if (matched === 'unknown') {
        const unknown = step.conds.filter((_, i) => results[i] === 'unknown').map(condText);
        const more = [
          ...assumptions,
          ...unknown.map((text) => ({ line, kind: 'match' as const, text })),
        ];
        if (verdict.kind === 'accept') {
          if (!positive) this.skipped.push({ line, conds: unknown });
        } else {
          this.fork(stack, step, verdict, more);
        }
        continue;
      }
      switch (verdict.kind) {
        case 'accept':
          return 'accept';
        case 'drop':
        case 'reject':
          return { line, rule: step.rule.text, assumptions };
        case 'other':
          this.fork(stack, step, verdict, assumptions);
          continue;
        case 'return':
          stack.pop();
          if (stack.length === 0) return this.policy(assumptions);
          continue;
        case 'jump':
          if (stack.length > MAX_JUMP_DEPTH)
            throw new CannotEvaluate(line, 'jumps nest too deep (a loop?)');
          stack.push({ chain: this.target(verdict.target, line), index: 0 });
          continue;
        case 'goto':
          stack[stack.length - 1] = { chain: this.target(verdict.target, line), index: 0 };
          continue;
      }
    }
  }

  private target(name: string, line: number): NftChain {
    const chain = this.table.chains.get(name);
    if (!chain) throw new CannotEvaluate(line, `there is no chain "${name}"`);
    return chain;
  }

  /** The branch where a step's verdict applies although it could not be decided. */
  private fork(stack: Frame[], step: Step, verdict: NftVerdict, assumptions: Assumption[]): void {
    if (this.maybe) return;
    const line = step.rule.line;
    const copy = stack.map((f) => ({ ...f }));
    switch (verdict.kind) {
      case 'accept':
      case 'continue':
        return;
      case 'drop':
      case 'reject':
        return this.recordMaybe({ line, rule: step.rule.text, assumptions });
      case 'other':
        return this.recordMaybe({
          line,
          rule: step.rule.text,
          assumptions: [...assumptions, { line, kind: 'effect', text: verdict.text }],
        });
      case 'return':
        copy.pop();
        if (copy.length === 0) {
          const end = this.policy(assumptions);
          if (end !== 'accept') this.recordMaybe(end);
          return;
        }
        break;
      case 'jump':
        if (copy.length > MAX_JUMP_DEPTH)
          throw new CannotEvaluate(line, 'jumps nest too deep (a loop?)');
        copy.push({ chain: this.target(verdict.target, line), index: 0 });
        break;
      case 'goto':
        copy[copy.length - 1] = { chain: this.target(verdict.target, line), index: 0 };
        break;
    }
    const key = copy.map((f) => `${f.chain.name}#${f.index}`).join('/');
    if (this.visited.has(key)) return;
    this.visited.add(key);
    const end = this.run(copy, true, assumptions);
    if (end !== 'accept') this.recordMaybe(end);
  }
}

function condText(cond: Cond): string {
  return cond.kind === 'element' ? cond.text : cond.item.text;
}

// ---------------------------------------------------------------------------
// The whole ruleset

/** Hooks an incoming packet meets, in order. */
const HOOK_ORDER: Readonly<Record<string, number>> = { ingress: 0, prerouting: 1, input: 2 };

interface BaseChainRef {
  table: NftTable;
  chain: NftChain;
  hook: string;
  priority: number;
}

function baseChainsFor(tables: NftTable[], family: 4 | 6): BaseChainRef[] {
  const out: BaseChainRef[] = [];
  for (const table of tables) {
    const sees =
      table.family === 'inet' ||
      table.family === 'netdev' ||
      (table.family === 'ip' && family === 4) ||
      (table.family === 'ip6' && family === 6);
    if (!sees) continue;
    for (const chain of table.chains.values()) {
      const base = chain.base;
      if (!base || own(HOOK_ORDER, base.hook) === undefined) continue;
      if (table.family === 'netdev' && base.hook !== 'ingress') continue;
      out.push({ table, chain, hook: base.hook, priority: base.priority });
    }
  }
  // Stable: chains of equal priority keep the order they were declared in.
  return out.sort(
    (a, b) =>
      (own(HOOK_ORDER, a.hook) as number) - (own(HOOK_ORDER, b.hook) as number) ||
      a.priority - b.priority,
  );
}

interface PacketResult {
  kind: 'ok' | 'certain' | 'maybe';
  drop?: Drop;
  ref?: BaseChainRef;
  skipped?: { line: number; conds: string[] }[];
}

function walkChain(ref: BaseChainRef, pkt: Packet): ChainOutcome {
  const walk = new ChainWalk(ref.table, ref.chain, pkt);
  const devices = ref.chain.base?.devices ?? [];
  if (ref.hook === 'ingress') {
    // Only packets arriving on these devices meet the chain; which one the
    // controller's packets use cannot be told from the file.
    if (devices.length > 0 && devices.every((d) => d === 'lo')) {
      return { main: 'accept', maybe: undefined, skipped: [] };
    }
    const on =
      devices.length === 1
        ? `device "${devices[0]}"`
        : `one of the devices ${devices.map((d) => `"${d}"`).join(', ')}`;
    const assumption: Assumption = {
      line: ref.chain.base?.line ?? ref.chain.line,
      kind: 'device',
      text: on,
    };
    const end = walk.run([{ chain: ref.chain, index: 0 }], true, [assumption]);
    return {
      main: 'accept',
      maybe: end === 'accept' ? walk.maybe : (walk.maybe ?? end),
      skipped: [],
    };
  }
  const main = walk.run([{ chain: ref.chain, index: 0 }], false, []);
  return { main, maybe: walk.maybe, skipped: walk.skipped };
}

function checkPacket(tables: NftTable[], pkt: Packet): PacketResult {
  let maybe: PacketResult | undefined;
  for (const ref of baseChainsFor(tables, pkt.family)) {
    const outcome = walkChain(ref, pkt);
    // Every chain must accept: a certain drop anywhere decides, whatever the others do.
    if (outcome.main !== 'accept')
      return { kind: 'certain', drop: outcome.main, ref, skipped: outcome.skipped };
    if (outcome.maybe && !maybe) maybe = { kind: 'maybe', drop: outcome.maybe, ref };
  }
  return maybe ?? { kind: 'ok' };
}

// ---------------------------------------------------------------------------
// Reasons

function quoteList(items: string[]): string {
  const q = items.map((i) => `"${i}"`);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

function describe(result: PacketResult, what: string): string {
  const drop = result.drop as Drop;
  const ref = result.ref as BaseChainRef;
  let text: string;
  if (result.kind === 'certain') {
    text =
      drop.rule === undefined
        ? `the ${ref.hook} chain "${ref.chain.name}" of table ${ref.table.family} ${ref.table.name} drops ${what} by policy (line ${drop.line})`
        : `line ${drop.line} drops ${what}: ${drop.rule}`;
    const skipped = result.skipped ?? [];
    if (skipped.length === 1) {
      text += `; line ${skipped[0].line} would accept it only if ${quoteList(skipped[0].conds)} ${skipped[0].conds.length > 1 ? 'match' : 'matches'}, which cannot be checked`;
    } else if (skipped.length > 1) {
      const lines = skipped.map((s) => s.line);
      text += `; lines ${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1]} would accept it only under conditions that cannot be checked`;
    }
    return text;
  }
  const why = drop.assumptions.map((a) => phrase(a, drop.line)).join(' or ');
  return drop.rule === undefined
    ? `the ${ref.hook} chain "${ref.chain.name}" of table ${ref.table.family} ${ref.table.name} may drop ${what} by policy (line ${drop.line}; cannot tell ${why})`
    : `line ${drop.line} may drop ${what} (cannot tell ${why})`;
}

function sameDrop(a: PacketResult, b: PacketResult): boolean {
  return a.kind === b.kind && a.drop?.line === b.drop?.line && a.ref?.chain === b.ref?.chain;
}

/**
 * Whether `ruleset` (the text given to `nft -f`) still lets the controller's
 * SSH traffic from `probe.source` to `probe.port` in. Throws only on a probe
 * that is not an IP address and port.
 */
export function checkSshReach(ruleset: string, probe: ReachProbe): ReachVerdict {
  const source = probeAddress(probe.source);
  if (!source) throw new TypeError(`checkSshReach: "${probe.source}" is not an IP address`);
  if (!Number.isInteger(probe.port) || probe.port < 1 || probe.port > 65535) {
    throw new TypeError(`checkSshReach: ${String(probe.port)} is not a port number`);
  }
  let tables: NftTable[];
  try {
    tables = parseNftRuleset(ruleset).tables;
  } catch (e) {
    if (e instanceof NftParseError) return cannotCheck(e.line, e.detail);
    throw e;
  }
  const results: Record<ConnState, PacketResult> = {
    new: { kind: 'ok' },
    established: { kind: 'ok' },
  };
  try {
    for (const state of ['new', 'established'] as const) {
      results[state] = checkPacket(tables, { ...source, port: probe.port, state });
    }
  } catch (e) {
    if (e instanceof CannotEvaluate) return cannotCheck(e.line, e.detail);
    throw e;
  }
  const { new: fresh, established } = results;
  // A certain block wins over a possible one; between equals, new connections
  // (every later run needs them) are named first.
  const order: [PacketResult, PacketResult, string][] = [
    [fresh, established, 'new connections'],
    [established, fresh, 'the established connection'],
  ];
  for (const kind of ['certain', 'maybe'] as const) {
    for (const [result, other, what] of order) {
      if (result.kind !== kind) continue;
      const both = sameDrop(result, other);
      return {
        ok: false,
        certain: kind === 'certain',
        line: (result.drop as Drop).line,
        reason: describe(result, both ? 'it' : what),
      };
    }
  }
  return { ok: true };
}

/** A ruleset the check cannot read or evaluate: never a proof that SSH stays open. */
function cannotCheck(line: number, detail: string): ReachVerdict {
  return { ok: false, certain: false, line, reason: `line ${line} cannot be checked: ${detail}` };
}
