import type { Change } from '../../changes/model';
import { selectHosts } from '../../inventory/patterns';
import { factKey, type FactRequest } from '../../facts/types';
import type { HostDriver } from '../host-driver';
import type { BatchEntry } from './batching';
import { isUp, RolloutError, serverView, setServerState, type ServerView } from './balancer';
import type { RunContext } from './options';
import type { RolloutSpec } from './rollout-spec';

/** How often a wait looks again. */
const POLL_MS = 300;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The health gate of one host in a play with `rollout:`. Before the host's
 * first change, each load balancer drains it (no new requests; the open ones
 * finish). After its handlers, the host must answer its health URL and each
 * balancer must see it UP again, within the timeout. If not, or if a task
 * failed, the tasks that can be undone (a release switched) are switched
 * back, their handlers run again, and the host is checked again; the run
 * stops (no later batch starts) and the recap says where the host went back to.
 */
export class RolloutGate {
  /** Balancers that drained the host in this run (they set it ready again). */
  private readonly drained: HostDriver[] = [];
  /** Balancers that know the host's server, and do not hold it in an admin state of their own. */
  private readonly watching: HostDriver[] = [];
  private touched = false;
  private readonly changed: BatchEntry[] = [];

  constructor(
    private readonly run: RunContext,
    private readonly host: string,
    private readonly driver: HostDriver,
    private readonly spec: RolloutSpec,
  ) {}

  private note(message: string): void {
    this.run.options.emit({ type: 'note', host: this.host, message: `rollout: ${message}` });
  }

  /** Before the host's first change in the play: out of rotation on each balancer. */
  async beforeChange(): Promise<void> {
    if (this.touched) return;
    this.touched = true;
    const b = this.spec.balancer;
    if (!b) return;
    const names = selectHosts(this.run.options.project.inventory, b.hosts).hosts;
    if (names.length === 0)
      throw new RolloutError(`rollout.balancer.hosts: no host matches ${b.hosts}`);
    for (const name of names) {
      const lb = await this.run.connections.driver(name);
      if (!lb)
        throw new RolloutError(
          `load balancer ${name} is unreachable: ${this.host} not taken out of rotation`,
        );
      await this.drainOn(lb);
    }
  }

  private async drainOn(lb: HostDriver): Promise<void> {
    const b = this.spec.balancer!;
    const view = await serverView(lb, b);
    if (typeof view === 'string') throw new RolloutError(view);
    const { status } = view.server;
    if (/^(MAINT|DRAIN)/.test(status)) {
      this.note(`${b.backend}/${b.server} is ${status} on ${lb.host} already: left so`);
      return;
    }
    this.watching.push(lb);
    if (view.othersServing === 0) {
      this.note(
        `no other server of ${b.backend} is UP on ${lb.host}: ${this.host} stays in rotation`,
      );
      return;
    }
    await setServerState(lb, b, 'drain');
    this.drained.push(lb);
    const left = await this.until(this.spec.timeoutS, async () => {
      const now = await serverView(lb, b);
      return typeof now !== 'string' && now.server.sessions === 0 ? true : undefined;
    });
    this.note(
      `drained on ${lb.host}${left ? '' : ` (sessions still open after ${this.spec.timeoutS} s)`}`,
    );
  }

  /** Task entries that made changes on the host: what a rollback may undo. */
  record(entries: readonly BatchEntry[]): void {
    this.changed.push(...entries.filter((e) => e.changes.length > 0));
  }

  /**
   * After the host's tasks and handlers (`failed`: a task or handler
   * failed). Returns undefined when the host is healthy and back in rotation
   * (or nothing changed); else why not, after rolling back where it can
   * (`rerun`: the handlers of the undone tasks, run again).
   */
  async settle(
    failed: boolean,
    rerun: (handlers: Set<string>) => Promise<void>,
  ): Promise<{ problem: string; outcome?: string } | undefined> {
    if (!this.touched) return undefined;
    const problem = failed ? 'a task failed' : await this.verify();
    if (!problem) {
      this.note(`healthy (${this.spec.healthUrl}), in rotation`);
      return undefined;
    }
    const undo = this.undoChanges();
    if (undo.changes.length === 0) {
      const healthy = failed ? !(await this.healthProblem()) : false;
      if (healthy) await this.ready();
      return { problem, outcome: `nothing to roll back${healthy ? '' : ', left out of rotation'}` };
    }
    this.note(`${problem}: switching back to ${undo.to.join(', ')}`);
    this.run.facts.changed();
    await this.driver.execute(undo.changes, {});
    await rerun(undo.handlers);
    const still = await this.verify();
    const back = `rolled back to ${undo.to.join(', ')}`;
    return { problem, outcome: still ? `${back}, still unhealthy: ${still}` : back };
  }

  /** Health on the host, then back in rotation and UP on each balancer; why not, if not. */
  private async verify(): Promise<string | undefined> {
    const sick = await this.healthProblem();
    if (sick) return sick;
    await this.ready();
    for (const lb of this.watching) {
      const down = await this.upOn(lb);
      if (down) return down;
    }
    return this.healthProblem();
  }

  private async ready(): Promise<void> {
    for (const lb of this.drained.splice(0)) await setServerState(lb, this.spec.balancer!, 'ready');
  }

  /** Waits for a 2xx from the health URL; why not, after the timeout. */
  private async healthProblem(): Promise<string | undefined> {
    const request: FactRequest = { kind: 'http', url: this.spec.healthUrl };
    let last = '';
    const ok = await this.until(this.spec.timeoutS, async () => {
      const fact = (await this.driver.gather([request])).facts.get(factKey(request));
      const v = fact?.kind === 'http' ? fact.value : { status: 0, error: 'no answer' };
      last = v.status ? `answered ${v.status}` : `no answer (${v.error ?? 'none'})`;
      return v.status >= 200 && v.status < 300 ? true : undefined;
    });
    return ok ? undefined : `${this.spec.healthUrl} ${last} after ${this.spec.timeoutS} s`;
  }

  /** Waits for the balancer to see the server UP; why not, after the timeout. */
  private async upOn(lb: HostDriver): Promise<string | undefined> {
    const b = this.spec.balancer!;
    const seen = { view: '' as ServerView | string };
    const ok = await this.until(this.spec.timeoutS, async () => {
      seen.view = await serverView(lb, b);
      return typeof seen.view !== 'string' && isUp(seen.view.server) ? true : undefined;
    });
    if (ok) return undefined;
    const v = seen.view;
    const what = typeof v === 'string' ? v : `${v.server.status} (check ${v.server.check})`;
    return `HAProxy on ${lb.host} sees ${b.backend}/${b.server} ${what} after ${this.spec.timeoutS} s`;
  }

  /** Runs `look` until it gives a value or the time is up. */
  private async until<T>(
    seconds: number,
    look: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const deadline = performance.now() + seconds * 1000;
    for (;;) {
      const v = await look();
      if (v !== undefined || performance.now() >= deadline) return v;
      await sleep(POLL_MS);
    }
  }

  /** The changes that switch back what this run's tasks changed, newest first. */
  private undoChanges(): { changes: Change[]; to: string[]; handlers: Set<string> } {
    const out = { changes: [] as Change[], to: [] as string[], handlers: new Set<string>() };
    for (const e of [...this.changed].reverse()) {
      const undone = e.t.module.undo?.(e.t.args as never, e.changes);
      if (!undone) continue;
      out.changes.push(...undone.changes);
      out.to.push(undone.to);
      for (const n of e.t.task.notify) out.handlers.add(n);
    }
    return out;
  }
}
