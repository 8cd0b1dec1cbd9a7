import { factKey, type Fact } from '../../facts/types';
import type { Change } from '../../changes/model';
import { FactView } from '../../modules/fact-view';
import type { HostTask } from '../expand';
import type { HostDriver } from '../host-driver';
import type { RunContext } from './options';
import { gatherPeers } from './peer-facts';

/**
 * A task's plan from the facts gathered. A module that needs more facts in
 * the state those show (`moreFacts`) gets them first, in one more remote
 * command; a run where no module does costs no extra command. Facts read on
 * other hosts (`peers`) come over those hosts' connections.
 */
export async function planTask(
  run: RunContext,
  driver: HostDriver,
  host: string,
  t: HostTask,
  gathered: ReadonlyMap<string, Fact>,
): Promise<Change[]> {
  let facts = gathered;
  const more = (t.module.moreFacts?.(t.args as never, new FactView(facts), t.ctx) ?? []).filter(
    (r) => !facts.has(factKey(r)),
  );
  if (more.length > 0) {
    const extra = await run.record.timed(host, 'facts', () => driver.gather(more));
    facts = new Map([...facts, ...extra.facts]);
  }
  const peers = t.module.peers ? await gatherPeers(run, host, t) : undefined;
  const view = new FactView(facts);
  return run.record.timed(host, 'plan', () => t.module.plan(t.args as never, view, t.ctx, peers));
}
