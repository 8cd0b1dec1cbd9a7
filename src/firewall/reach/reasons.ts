/**
 * Reasons: the verdict's sentence, naming the line that drops the probe, the
 * packet it drops, and what could not be told on the way there.
 */
import type { BaseChainRef, PacketResult } from './base-chains';
import type { Assumption, Drop } from './chain-walk';
import type { ConnState } from './packet';

/** A probe the ruleset blocks, for certain or possibly. */
export interface Block {
  certain: boolean;
  line: number;
  reason: string;
}

/** Follows "cannot tell ". */
function phrase(a: Assumption, dropLine: number): string {
  const where = a.line === dropLine ? '' : ` on line ${a.line}`;
  if (a.kind === 'device') return `whether it arrives on ${a.text}`;
  if (a.kind === 'effect') return `what "${a.text}"${where} does with it`;
  return `whether "${a.text}"${where} matches`;
}

function quoteList(items: string[]): string {
  const q = items.map((i) => `"${i}"`);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

function describe(result: PacketResult, what: string): string {
  const drop = result.drop as Drop;
  const ref = result.ref as BaseChainRef;
  if (result.kind === 'certain') return describeCertain(result, drop, ref, what);
  const why = drop.assumptions.map((a) => phrase(a, drop.line)).join(' or ');
  return drop.rule === undefined
    ? `the ${ref.hook} chain "${ref.chain.name}" of table ${ref.table.family} ${ref.table.name} may drop ${what} by policy (line ${drop.line}; cannot tell ${why})`
    : `line ${drop.line} may drop ${what} (cannot tell ${why})`;
}

function describeCertain(
  result: PacketResult,
  drop: Drop,
  ref: BaseChainRef,
  what: string,
): string {
  let text =
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

function sameDrop(a: PacketResult, b: PacketResult): boolean {
  return a.kind === b.kind && a.drop?.line === b.drop?.line && a.ref?.chain === b.ref?.chain;
}

/**
 * The block to report, or undefined when both packets pass. A certain block
 * wins over a possible one; between equals, new connections (every later run
 * needs them) are named first.
 */
export function firstBlock(results: Record<ConnState, PacketResult>): Block | undefined {
  const { new: fresh, established } = results;
  const order: [PacketResult, PacketResult, string][] = [
    [fresh, established, 'new connections'],
    [established, fresh, 'the established connection'],
  ];
  for (const kind of ['certain', 'maybe'] as const) {
    for (const [result, other, what] of order) {
      if (result.kind !== kind) continue;
      const both = sameDrop(result, other);
      return {
        certain: kind === 'certain',
        line: (result.drop as Drop).line,
        reason: describe(result, both ? 'it' : what),
      };
    }
  }
  return undefined;
}
