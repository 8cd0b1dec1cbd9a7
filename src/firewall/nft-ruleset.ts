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
 *
 * This file is the public entry point; the code lives in ./nft/: types.ts
 * (the shapes and NftParseError), tokens.ts (tokenizer and Cursor),
 * keywords.ts, values.ts, selectors.ts, rule-items.ts, declarations.ts,
 * parser.ts (the Parser) and validate.ts (jump targets and named sets).
 */

import { Parser } from './nft/parser';
import type { NftRuleset } from './nft/types';

export type {
  NftBaseChain,
  NftChain,
  NftFamily,
  NftOp,
  NftRule,
  NftRuleItem,
  NftRuleset,
  NftSelector,
  NftSet,
  NftTable,
  NftToken,
  NftValue,
  NftVerdict,
} from './nft/types';
export { NftParseError } from './nft/types';
export { tokenize } from './nft/tokens';

/** Parses a whole `nft -f` file. Throws NftParseError, naming the line, on what it cannot read. */
export function parseNftRuleset(text: string): NftRuleset {
  return new Parser(text).parse();
}
