import type { FactRequest } from '../../facts/types';
import { FactView } from '../../modules/fact-view';
import type { PeerFacts } from '../../modules/module';
import { PlanError } from '../../modules/plan-error';
import type { HostTask } from '../expand';
import type { RunContext } from './options';

/**
 * The facts a task reads on other hosts (`peers()`), one remote command per
 * host over that host's connection of the run (opened when it has none).
 * Plays run one after the other, so what an earlier play made there is seen.
 * The read takes no run lock there (a host outside --limit is only read), and
 * a failure is this task's, naming the other host: never a lost connection
 * of the host planned.
 */
export async function gatherPeers(run: RunContext, host: string, t: HostTask): Promise<PeerFacts> {
  const byHost = new Map<string, FactRequest[]>();
  for (const { host: peer, requests } of t.module.peers?.(t.args as never, t.ctx) ?? [])
    byHost.set(peer, [...(byHost.get(peer) ?? []), ...requests]);
  const out = new Map<string, FactView>();
  for (const [peer, requests] of byHost) {
    if (!run.options.project.inventory.hosts.has(peer))
      throw new PlanError(`${peer} is not a host of the inventory`);
    const driver = await run.connections.driver(peer);
    if (!driver) throw new PlanError(`${peer} is unreachable: its facts cannot be read`);
    try {
      const gathered = await run.record.timed(host, 'facts', () =>
        driver.gather(requests, { unlocked: true }),
      );
      out.set(peer, new FactView(gathered.facts));
    } catch (error) {
      throw new PlanError(`reading ${peer}'s facts failed: ${(error as Error).message}`);
    }
  }
  return out;
}
