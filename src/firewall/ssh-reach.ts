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
 *
 * The parts live in ./reach: addresses, fields and matches decide one
 * condition, steps and chain-walk follow a chain, base-chains the ruleset,
 * reasons word the verdict.
 */
import { NftParseError, parseNftRuleset, type NftTable } from './nft-ruleset';
import { probeAddress } from './reach/addresses';
import { checkPackets, type PacketResult } from './reach/base-chains';
import { CannotEvaluate } from './reach/chain-walk';
import type { ConnState } from './reach/packet';
import { firstBlock } from './reach/reasons';

export interface ReachProbe {
  /** IPv4 or IPv6 literal of the controller, as the host sees it. */
  source: string;
  /** The host's SSH port. */
  port: number;
}

export type ReachVerdict =
  { ok: true } | { ok: false; certain: boolean; line: number; reason: string };

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
  let results: Record<ConnState, PacketResult>;
  try {
    results = checkPackets(tables, source, probe.port);
  } catch (e) {
    if (e instanceof CannotEvaluate) return cannotCheck(e.line, e.detail);
    throw e;
  }
  const block = firstBlock(results);
  return block ? { ok: false, ...block } : { ok: true };
}

/** A ruleset the check cannot read or evaluate: never a proof that SSH stays open. */
function cannotCheck(line: number, detail: string): ReachVerdict {
  return { ok: false, certain: false, line, reason: `line ${line} cannot be checked: ${detail}` };
}
