import type { Change } from '../changes/model';
import type { ValidationResult } from './inspect-script';

export type TaskStatus = 'ok' | 'changed' | 'skipped' | 'failed';

/** What the engine reports while it runs; the reporter has one formatter per kind. */
export type EngineEvent =
  | { type: 'play'; play: string; hosts: string[]; check: boolean }
  | { type: 'unreachable'; host: string; error: string }
  | {
      /** A host starts on a play: it connects (the first time) and gathers facts. */
      type: 'host-start';
      host: string;
      play: string;
    }
  | {
      /**
       * A host starts a task or handler. The live progress view shows it as the
       * host's current task; the plain lines ignore it.
       */
      type: 'task-start';
      host: string;
      play: string;
      task: string;
      handler: boolean;
      /** Its module's work can take seconds or minutes (package installs, seeding a database). */
      long: boolean;
    }
  | {
      /** A host is done with a play: finished, failed or stopped. */
      type: 'host-done';
      host: string;
      play: string;
    }
  | {
      type: 'task';
      host: string;
      play: string;
      task: string;
      status: TaskStatus;
      changes: Change[];
      handler: boolean;
      error?: string;
    }
  | {
      /** A file's planned change as a unified diff, secrets already masked. */
      type: 'diff';
      host: string;
      task: string;
      path: string;
      created: boolean;
      hunks: string[];
      masked: boolean;
    }
  | {
      /** A candidate file checked by its validator in a dry run. */
      type: 'validation';
      host: string;
      task: string;
      path: string;
      result: ValidationResult;
    }
  | {
      /**
       * A remote command, for -v and more: -v its purpose and outcome, -vv its
       * script, -vvv its output (all shown redacted).
       */
      type: 'trace';
      host: string;
      what: string;
      exitCode: number | null;
      ms: number;
      script?: string;
      stdout?: string;
      stderr?: string;
    }
  | { type: 'note'; host?: string; message: string }
  | {
      type: 'recap';
      hosts: Record<string, HostCounters>;
      /** Per host, what a rollout did beyond the counters: "rolled back to release abc123". */
      outcomes?: Record<string, string>;
    }
  | { type: 'timings'; hosts: Record<string, HostTimings> };

/** Where a host's time went, in milliseconds, with its SSH counters. */
export interface HostTimings {
  connect: number;
  facts: number;
  plan: number;
  execute: number;
  handlers: number;
  connections: number;
  commands: number;
}

export const emptyTimings = (): HostTimings => ({
  connect: 0,
  facts: 0,
  plan: 0,
  execute: 0,
  handlers: 0,
  connections: 0,
  commands: 0,
});

export interface HostCounters {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
}

export const emptyCounters = (): HostCounters => ({
  ok: 0,
  changed: 0,
  unreachable: 0,
  failed: 0,
  skipped: 0,
});
