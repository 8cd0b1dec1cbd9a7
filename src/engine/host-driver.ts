import { FoobarError } from '../core/errors';
import type { Fact, FactRequest } from '../facts/types';
import type { Change } from '../changes/model';
import type { TaskGroup } from './change-script';
import type { PendingHandler } from './handler-state';
import type { Candidate, Inspection } from './inspect-script';

/** A change script failed: which host, what, and the (redacted later) output. */
export class ChangeFailed extends FoobarError {
  readonly kind = 'change';
  constructor(
    readonly detail: string,
    readonly exitCode: number | null,
    readonly validation: boolean,
    /** In a batched script: how many task groups completed before the failure. */
    readonly completedGroups = 0,
  ) {
    super(detail);
  }
}

export interface Gathered {
  facts: Map<string, Fact>;
  /** Handlers recorded on the host by an earlier run that did not get to run them. */
  pending: PendingHandler[];
}

/**
 * What the engine needs of a host. The SSH-backed driver compiles these to
 * shell scripts (one remote command each); the in-memory driver simulates a
 * host for fast integration tests of the engine.
 */
export interface HostDriver {
  readonly host: string;
  /**
   * Every fact in one round trip, with the pending-handler record; taking
   * the run lock first, unless `unlocked` (a read of another host's files
   * for a task planned elsewhere).
   */
  gather(requests: readonly FactRequest[], options?: { unlocked?: boolean }): Promise<Gathered>;
  /** Performs a task's changes in one round trip; throws ChangeFailed. */
  execute(
    changes: readonly Change[],
    options: { clear?: PendingHandler[]; groups?: TaskGroup[] },
  ): Promise<void>;
  /**
   * Over a NEW connection of its own: confirms an activated change (a
   * firewall ruleset) that the last execute loaded. Throws ChangeFailed when
   * no new connection gets through or the host already reverted.
   */
  confirm(change: Extract<Change, { kind: 'write' }>): Promise<void>;
  /** Runs a read-only script and returns its output (e.g. a dump for another host); throws on failure. */
  capture(script: string): Promise<Buffer>;
  /**
   * Read-only, one round trip: the current content of planned files (for
   * diffs) and/or their validators run on the candidates in a private temp
   * folder that is always removed (dry-run validation).
   */
  inspect(
    candidates: readonly Candidate[],
    options: { before: boolean; validate: boolean },
  ): Promise<Inspection[]>;
  /** Remote commands run so far on this host. */
  readonly commands: number;
  readonly connections: number;
  close(): Promise<void>;
}
