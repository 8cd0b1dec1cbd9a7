import type { SecretValue } from '../../render/context';
import type { EngineEvent, HostCounters } from '../events';
import type { HostTask } from '../expand';
import type { HostDriver } from '../host-driver';
import type { Project } from '../project';
import type { HostConnections } from './connections';
import type { LookAheadFacts } from './fact-cache';
import type { RunRecord } from './record';

export interface RunOptions {
  project: Project;
  /** Opens the driver of a host: one connection per host per run. */
  connect: (host: string) => Promise<HostDriver>;
  secret: SecretValue;
  /** Masks every secret value of the run (the CLI's redactor). */
  redact: (text: string) => string;
  emit: (event: EngineEvent) => void;
  check: boolean;
  diff: boolean;
  limit?: string;
  tags?: string[];
  forks: number;
  /**
   * Aborted on Ctrl-C: no task or handler starts after it; the changes in
   * flight finish (each is one atomic script), handlers stay recorded on the
   * hosts for the next run, and the recap shows what ran.
   */
  signal?: AbortSignal;
}

export interface RunResult {
  hosts: Record<string, HostCounters>;
  /** Hosts with a failed task. */
  failed: string[];
  unreachable: string[];
  /** True when any host has (or, in check mode, would have) changes. */
  changed: boolean;
  /** The run was interrupted (`signal`) before it finished. */
  interrupted: boolean;
  /** Hosts whose lock another run holds (also in `failed`). */
  locked: string[];
  /** Per host, what a rollout did beyond the counters ("rolled back to release abc123"). */
  outcomes: Record<string, string>;
  drivers: Map<string, HostDriver>;
}

/** What the parts of a run share. */
export interface RunContext {
  readonly options: RunOptions;
  readonly record: RunRecord;
  readonly connections: HostConnections;
  readonly facts: LookAheadFacts;
  /** No more work starts: after a fatal failure, or once interrupted. */
  aborted(): boolean;
  /** Tells the live view that a host starts a task or handler. */
  started(host: string, t: HostTask, handler: boolean): void;
}
