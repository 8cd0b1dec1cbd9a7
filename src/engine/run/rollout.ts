import type { Change } from '../../changes/model';
import { FactView } from '../../modules/fact-view';
import type { HostDriver } from '../host-driver';
import { Balancers } from './balancer';
import type { BatchEntry } from './batching';
import type { RunContext } from './options';
import type { RolloutSpec } from './rollout-spec';
import { until } from './wait';

/**
 * Recorded on the host (with its pending handlers) before a balancer drains
 * it, cleared once it is back in rotation: a run killed in between leaves it,
 * and the next run puts the host back in rotation once it is healthy.
 */
export const DRAINED = '(rollout) drained on the load balancers';

/** What the gate found wrong, and what it did about it (for the recap). */
export interface GateFailure {
  problem: string;
  outcome?: string;
}

/**
 * The health gate of one host in a play with `rollout:`. Before the host's
 * first change (or a handler an earlier run left pending), each load balancer
 * drains it (no new requests; the open ones finish). After its handlers, the
 * host must answer its health URL and each balancer must see it UP again,
 * within the timeout. If not, or if a task or handler failed, the tasks that
 * can be undone (a release switched) are switched back, their handlers run
 * again, and the host is checked again; the run stops (no later batch starts)
 * and the recap says where the host went back to.
 */
export class RolloutGate {
  private readonly balancers?: Balancers;
  private readonly note: (message: string) => void;
  private touched = false;
  /** The DRAINED mark is on the host. */
  private marked = false;
  private readonly changed: BatchEntry[] = [];

  constructor(
    private readonly run: RunContext,
    private readonly play: string,
    private readonly host: string,
    private readonly driver: HostDriver,
    private readonly spec: RolloutSpec,
  ) {
    this.note = (message) =>
      run.options.emit({ type: 'note', host, message: `rollout: ${message}` });
    if (spec.balancer) this.balancers = new Balancers(run, spec.balancer, host, this.note);
  }

  /** Before the host's first change in the play: out of rotation on each balancer. */
  async beforeChange(): Promise<void> {
    if (this.touched) return;
    this.touched = true;
    await this.balancers?.drain(this.spec.timeoutS, () => this.mark(true));
  }

  /**
   * An earlier run drained the host and stopped before it was back in
   * rotation (its DRAINED mark is on the host): the gate takes it over, and
   * sets it ready once the host is healthy, whether or not it changes now.
   */
  async adopt(): Promise<void> {
    this.touched = true;
    this.marked = true;
    this.run.options.emit({
      type: 'note',
      host: this.host,
      message:
        'rollout: an earlier run drained this host and stopped: back in rotation once healthy',
    });
    await this.balancers?.adopt();
  }

  /** Records (or clears) the DRAINED mark on the host. */
  private async mark(on: boolean): Promise<void> {
    if (this.marked === on) return;
    const entry = [{ play: this.play, handler: DRAINED }];
    await this.driver.execute(
      [],
      on ? { groups: [{ start: 0, record: entry }] } : { clear: entry },
    );
    this.marked = on;
  }

  /** Task entries that made changes on the host: what a rollback may undo. */
  record(entries: readonly BatchEntry[]): void {
    this.changed.push(...entries.filter((e) => e.changes.length > 0));
  }

  /**
   * After the host's tasks and handlers (`failed`: one of them failed).
   * Undefined when the host is healthy and back in rotation (or nothing
   * changed); else why not, after switching back what it can (`rerun`: the
   * handlers of the undone tasks, run again).
   */
  async settle(
    failed: boolean,
    rerun: (handlers: Set<string>) => Promise<void>,
  ): Promise<GateFailure | undefined> {
    if (!this.touched) return undefined;
    const problem = failed ? 'a task or handler failed' : await this.verify();
    if (!problem) {
      this.note(`healthy (${this.spec.healthUrl}), in rotation`);
      return undefined;
    }
    const undo = this.undoChanges();
    if (undo.changes.length === 0) return { problem, outcome: await this.leftAs(failed) };
    this.note(`${problem}: switching back to ${undo.to.join(', ')}`);
    // Out of rotation again (it may have been set ready before HAProxy refused it).
    await this.balancers?.drainAgain();
    this.run.facts.changed();
    // The handlers are recorded first: a run that stops now leaves them pending.
    const record = [...undo.handlers].map((handler) => ({ play: this.play, handler }));
    await this.driver.execute(undo.changes, { groups: [{ start: 0, record }] });
    await rerun(undo.handlers);
    const still = await this.verify();
    const back = `${undo.returning ? 'returned' : 'rolled back'} to ${undo.to.join(', ')}`;
    return { problem, outcome: still ? `${back}, still unhealthy: ${still}` : back };
  }

  /** Nothing to switch back: in rotation again when healthy; what the recap says. */
  private async leftAs(failed: boolean): Promise<string | undefined> {
    if (failed && !(await this.healthProblem())) {
      await this.ready();
      return undefined;
    }
    const left = this.balancers?.drained.map((lb) => lb.host) ?? [];
    return left.length ? `left drained on ${left.join(', ')}: not healthy` : undefined;
  }

  /** Health on the host, then back in rotation and UP on each balancer; why not, if not. */
  private async verify(): Promise<string | undefined> {
    const sick = await this.healthProblem();
    if (sick) return sick;
    await this.ready();
    return (await this.balancers?.upProblem(this.spec.timeoutS)) ?? this.healthProblem();
  }

  private async ready(): Promise<void> {
    await this.balancers?.ready();
    await this.mark(false);
  }

  /** Waits for a 2xx from the health URL; why not, after the timeout. */
  private async healthProblem(): Promise<string | undefined> {
    const url = this.spec.healthUrl;
    let last = '';
    const ok = await until(this.spec.timeoutS, async () => {
      const v = new FactView((await this.driver.gather([{ kind: 'http', url }])).facts).http({
        url,
      });
      last = v.status ? `answered ${v.status}` : `no answer (${v.error ?? 'none'})`;
      return v.status >= 200 && v.status < 300 ? true : undefined;
    });
    return ok ? undefined : `${this.spec.healthUrl} ${last} after ${this.spec.timeoutS} s`;
  }

  /** The changes that switch back what this run's tasks changed, newest first. */
  private undoChanges(): {
    changes: Change[];
    to: string[];
    handlers: Set<string>;
    returning: boolean;
  } {
    const out = {
      changes: [] as Change[],
      to: [] as string[],
      handlers: new Set<string>(),
      returning: false,
    };
    for (const e of [...this.changed].reverse()) {
      const undone = e.t.module.undo?.(e.t.args as never, e.changes);
      if (!undone) continue;
      out.changes.push(...undone.changes);
      out.to.push(undone.to);
      out.returning ||= undone.returning === true;
      for (const n of e.t.task.notify) out.handlers.add(n);
    }
    return out;
  }
}
