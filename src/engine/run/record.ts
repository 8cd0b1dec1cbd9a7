import { TemplateError, TransportError } from '../../core/errors';
import type { Change } from '../../changes/model';
import { PlanError } from '../../modules/plan-error';
import type { Task } from '../../playbook/model';
import {
  emptyCounters,
  emptyTimings,
  type EngineEvent,
  type HostCounters,
  type HostTimings,
  type TaskStatus,
} from '../events';
import { ChangeFailed } from '../host-driver';

/** A phase of a host's time in `--timings`. */
export type Phase = Exclude<keyof HostTimings, 'connections' | 'commands'>;

/**
 * What a run has seen so far, per host: the recap's counters, the time spent
 * in each phase, and which hosts failed, are unreachable, or are locked by
 * another run. Every task outcome goes through it, as one event each.
 */
export class RunRecord {
  readonly counters: Record<string, HostCounters> = {};
  readonly timings: Record<string, HostTimings> = {};
  /** Hosts that get no more work: failed or unreachable. */
  readonly down = new Set<string>();
  readonly failed = new Set<string>();
  readonly unreachable = new Set<string>();
  readonly locked = new Set<string>();
  /** What a rollout did to a host beyond its counters ("rolled back to release abc123"): shown in the recap. */
  readonly outcomes: Record<string, string> = {};
  /** The play being run (plays run one after another). */
  play = '';

  constructor(private readonly emit: (event: EngineEvent) => void) {}

  /** A host of a play starts with zeroed counters (kept across plays). */
  enter(host: string): void {
    this.counters[host] ??= emptyCounters();
  }

  outcome(host: string, text: string): void {
    this.outcomes[host] = this.outcomes[host] ? `${this.outcomes[host]}; ${text}` : text;
  }

  /** Adds the time `work` takes to a host's phase. */
  async timed<T>(host: string, phase: Phase, work: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      (this.timings[host] ??= emptyTimings())[phase] += performance.now() - start;
    }
  }

  report(
    host: string,
    task: Pick<Task, 'name'>,
    status: TaskStatus,
    changes: Change[],
    handler: boolean,
    error?: string,
  ): void {
    const c = this.counters[host]!;
    if (status === 'ok') c.ok++;
    else if (status === 'changed') c.changed++;
    else if (status === 'skipped') c.skipped++;
    else c.failed++;
    this.emit({
      type: 'task',
      host,
      play: this.play,
      task: task.name,
      status,
      changes,
      handler,
      error,
    });
  }

  fail(host: string, task: Pick<Task, 'name'>, error: unknown, handler = false): void {
    this.failed.add(host);
    this.down.add(host);
    const message =
      error instanceof TemplateError || error instanceof ChangeFailed || error instanceof PlanError
        ? error.message
        : error instanceof Error
          ? error.message
          : String(error);
    this.report(host, task, 'failed', [], handler, message);
  }

  /** A dry run's candidate file its validator refused: a finding, the host's plan goes on. */
  refused(host: string, task: Pick<Task, 'name'>, changes: Change[], why: string): void {
    this.failed.add(host);
    this.report(host, task, 'failed', changes, false, why);
  }

  markUnreachable(host: string, error: unknown): void {
    this.down.add(host);
    this.unreachable.add(host);
    // A host outside the play's hosts (a load balancer a rollout reaches) has no counters yet.
    (this.counters[host] ??= emptyCounters()).unreachable++;
    const message = error instanceof Error ? error.message : String(error);
    this.emit({ type: 'unreachable', host, error: message });
  }

  /** A failure during a task: the host is unreachable when the connection was lost, else the task failed. */
  lost(host: string, task: Pick<Task, 'name'> | undefined, error: unknown, handler = false): void {
    if (isConnectionLoss(error) || !task) this.markUnreachable(host, error);
    else this.fail(host, task, error, handler);
  }
}

/** The connection under a task went away (the transport's own error, or the socket's). */
export function isConnectionLoss(error: unknown): boolean {
  if (error instanceof TransportError) return true;
  const code = (error as { code?: string } | undefined)?.code;
  return (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    /not connected|connection lost|No response from server/i.test(String(error))
  );
}
