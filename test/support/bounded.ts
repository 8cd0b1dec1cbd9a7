import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from './cli';

/** A generous guard against a hang: far above any honest run, on a slow machine too. */
export const HANG_GUARD_MS = 30_000;

export interface BoundedResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when the run was killed at the time limit. */
  hung: boolean;
}

/**
 * Runs the real executable in a child process under a time limit, so that an
 * input that makes the tool hang (catastrophic regex backtracking, an alias
 * bomb, a quadratic loop) fails the test instead of stalling the suite.
 */
export function runBounded(args: string[], timeoutMs = HANG_GUARD_MS): BoundedResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    code: r.status,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    hung:
      r.signal === 'SIGKILL' ||
      (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT',
  };
}

/** What is wrong with a run on broken or odd input, if anything: a hang, a crash, a stack trace. */
export function crashOf(r: BoundedResult): string | undefined {
  const all = r.stdout + r.stderr;
  if (r.hung) return 'hung (killed at the time limit)';
  if (r.code !== 0 && r.code !== 1) return `exit ${String(r.code)}: ${all.slice(0, 400)}`;
  if (/internal error|\n\s+at .+\(.+:\d+:\d+\)/.test(all)) return `crash: ${all.slice(0, 400)}`;
  return undefined;
}
