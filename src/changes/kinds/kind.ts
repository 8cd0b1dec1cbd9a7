/**
 * What a kind of change is, in one object: its one-line description, the
 * shell that makes it on a host, its simulation on an in-memory host, and
 * its entry in the plan document. Each kind has a file of its own beside
 * this one; index.ts joins them in a registry.
 */
import type { MemoryHost } from '../../facts/memory-host';
import type { PlanChange } from '../../report/plan-schema';
import type { ChangeKindName, ChangeOf } from '../model';

/**
 * A change's share of a change script: steps that only prepare (safe to
 * abandon: a temp file, a validation) and steps that change the host.
 */
export interface ShellSteps {
  prepare: string[];
  commit: string[];
}

/** A plan entry without what the caller adds (play, task, handler, summary). */
export type PlanEntry = Omit<PlanChange, 'play' | 'task' | 'handler' | 'summary'>;

export interface ChangeKind<K extends ChangeKindName> {
  readonly kind: K;
  /** One line, for progress, recaps and the plan's summary. */
  describe(change: ChangeOf<K>): string;
  /**
   * POSIX sh steps (under `set -u`, with `fail MESSAGE [CODE]` defined).
   * Data the steps read on stdin (file contents, SQL) is appended to
   * `payloads`, in the order the steps read it.
   */
  shell(change: ChangeOf<K>, payloads: Buffer[]): ShellSteps;
  /** Makes the change on a simulated host; what the host would refuse throws SimulatedFailure. */
  simulate(change: ChangeOf<K>, host: MemoryHost): void;
  /** The plan document's entry: kind, action, what it touches and why. */
  entry(change: ChangeOf<K>, context: { handler: boolean }): PlanEntry;
}
