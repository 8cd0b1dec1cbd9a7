/**
 * The whole ruleset: the base chains an incoming packet meets (ingress,
 * prerouting, input, each in priority order) and what each does with the
 * probe's `new` and `established` packets. Every chain must accept.
 */
import type { NftChain, NftTable } from '../nft-ruleset';
import { ChainWalk, type Assumption, type Drop, type Skipped } from './chain-walk';
import { own } from './names';
import type { ConnState, Family, Packet, Source } from './packet';

/** Hooks an incoming packet meets, in order. */
const HOOK_ORDER: Readonly<Record<string, number>> = { ingress: 0, prerouting: 1, input: 2 };

export interface BaseChainRef {
  table: NftTable;
  chain: NftChain;
  hook: string;
  priority: number;
}

export interface PacketResult {
  kind: 'ok' | 'certain' | 'maybe';
  drop?: Drop;
  ref?: BaseChainRef;
  skipped?: Skipped[];
}

interface ChainOutcome {
  /** The path where nothing undecidable matches: accepted, or dropped for certain. */
  main: Drop | 'accept';
  /** The first drop reachable on another path. */
  maybe: Drop | undefined;
  /** Accepts on the main path that could not be relied on. */
  skipped: Skipped[];
}

function baseChainsFor(tables: NftTable[], family: Family): BaseChainRef[] {
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

function walkChain(ref: BaseChainRef, pkt: Packet): ChainOutcome {
  const walk = new ChainWalk(ref.table, ref.chain, pkt);
  if (ref.hook === 'ingress') return walkIngress(ref, walk);
  const main = walk.run([{ chain: ref.chain, index: 0 }], false, []);
  return { main, maybe: walk.maybe, skipped: walk.skipped };
}

/**
 * Only packets arriving on the chain's devices meet it; which one the
 * controller's packets use cannot be told from the file.
 */
function walkIngress(ref: BaseChainRef, walk: ChainWalk): ChainOutcome {
  const devices = ref.chain.base?.devices ?? [];
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

/** Both packets of the probe's SSH connection. Throws CannotEvaluate. */
export function checkPackets(
  tables: NftTable[],
  source: Source,
  port: number,
): Record<ConnState, PacketResult> {
  return {
    new: checkPacket(tables, { ...source, port, state: 'new' }),
    established: checkPacket(tables, { ...source, port, state: 'established' }),
  };
}
