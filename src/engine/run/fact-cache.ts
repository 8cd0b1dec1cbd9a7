import { factKey, type FactRequest } from '../../facts/types';
import type { Play, Task } from '../../playbook/model';
import { playHosts, type HostTask, type PlayExpander } from '../expand';
import type { Gathered, HostDriver } from '../host-driver';
import type { Project } from '../project';

/**
 * The facts of a run, gathered ahead: the first gather on a host also asks
 * for everything the host's later plays will need, so that a run that
 * changes nothing costs one remote command per host. Those facts are used
 * only while nothing has changed anywhere in the run (`changed()`): one
 * host's change can alter what another host's later task sees (a user made
 * on the primary).
 */
export class LookAheadFacts {
  /** Counts the changes made anywhere in the run. */
  private epoch = 0;
  /** Per host: the facts gathered ahead, and at which epoch. */
  private readonly ahead = new Map<
    string,
    { gathered: Gathered; epoch: number; keys: Set<string> }
  >();

  constructor(
    private readonly project: Project,
    private readonly limit: string | undefined,
    private readonly expander: (play: Play) => PlayExpander,
    private readonly selected: (task: Task) => boolean,
  ) {}

  /** Something is about to change on a host: facts gathered before are stale everywhere. */
  changed(): void {
    this.epoch++;
  }

  /** The facts a play's tasks need on a host, in one remote command at most. */
  async forPlay(
    driver: HostDriver,
    play: Play,
    host: string,
    prepared: readonly HostTask[],
  ): Promise<Gathered> {
    const wanted = requestsOf(prepared);
    const ahead = this.ahead.get(host);
    if (ahead && ahead.epoch === this.epoch && wanted.every((r) => ahead.keys.has(factKey(r))))
      return ahead.gathered;
    const epoch = this.epoch;
    const later = this.laterRequests(play, host);
    const all = new Map([...later, ...wanted].map((r) => [factKey(r), r]));
    const gathered = await driver.gather([...all.values()]);
    this.ahead.set(host, { gathered, epoch, keys: new Set(all.keys()) });
    return gathered;
  }

  /** What the plays after `play` will ask of `host` (best effort: a task that cannot be prepared yet is left out). */
  private laterRequests(play: Play, host: string): FactRequest[] {
    const plays = this.project.playbook.plays;
    const out: FactRequest[] = [];
    for (const later of plays.slice(plays.indexOf(play) + 1)) {
      if (!playHosts(this.project, later, this.limit).includes(host)) continue;
      const expander = this.expander(later);
      const vars = expander.vars(host);
      const tasks: HostTask[] = [];
      for (const task of later.tasks.filter((t) => this.selected(t))) {
        try {
          tasks.push(expander.prepare(task, host, vars));
        } catch {
          // Reported when that play runs.
        }
      }
      out.push(...requestsOf(tasks));
    }
    return out;
  }
}

/**
 * The fact requests of tasks, each once. Each task's module also starts its
 * `warm` work here, so that it runs while these facts are gathered.
 */
export function requestsOf(tasks: readonly HostTask[]): FactRequest[] {
  const seen = new Map<string, FactRequest>();
  for (const t of tasks) {
    if (t.skipped) continue;
    t.module.warm?.(t.args as never, t.ctx);
    for (const r of t.module.facts(t.args as never, t.ctx)) seen.set(factKey(r), r);
  }
  return [...seen.values()];
}
