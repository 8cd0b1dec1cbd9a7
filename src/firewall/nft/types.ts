/**
 * The shapes the nftables reader produces (tokens, values, selectors, rule
 * items, chains, sets, tables, the whole ruleset) and NftParseError, the one
 * error it throws. No code besides the error class.
 */

export type NftFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

/** Where a token was written: the `$NAME` reference for a token that came from a define. */
export interface Span {
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
