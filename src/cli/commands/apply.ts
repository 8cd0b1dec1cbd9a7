import type { RunResult } from '../../engine/runner';
import { textReporter } from '../../report/text-reporter';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';
import type { VaultPasswordOptions } from '../vault-password';
import { withLiveView } from '../live-view';
import { prepareRun, type RunSetup } from './run-setup';

export interface ApplyOptions extends VaultPasswordOptions {
  inventory: string;
  playbook: string;
  check?: boolean;
  diff?: boolean;
  limit?: string;
  tags?: string;
  forks: string;
  acceptNew?: boolean;
  verbose?: number;
  timings?: boolean;
  lockTimeout?: string;
}

/** `apply`: make the hosts match; with --check, only say what would change. */
export async function runApply(opts: ApplyOptions, io: Io): Promise<number> {
  const setup = await prepareRun(opts, io, {
    command: opts.check ? 'apply --check' : 'apply',
    // A dry run changes nothing: it shares the lock with other dry runs.
    mode: opts.check ? 'shared' : 'exclusive',
  });
  return runAndReport(setup, opts, io);
}

/** Runs a prepared playbook run with apply's output (task lines, recap) and exit code. */
export async function runAndReport(
  setup: RunSetup,
  opts: Pick<ApplyOptions, 'check' | 'diff' | 'tags' | 'verbose' | 'timings'>,
  io: Io,
  project?: RunSetup['project'],
): Promise<number> {
  const print = textReporter({
    color: io.color,
    verbosity: opts.verbose ?? 0,
    timings: opts.timings,
    out: (line) => io.out(line),
  });
  // On a terminal, a line per host at work below the finished tasks.
  const { emit, stop } = withLiveView(io, 'out', print);
  try {
    const result = await setup.run({
      emit,
      trace: (opts.verbose ?? 0) > 0 ? emit : undefined,
      check: opts.check ?? false,
      diff: opts.diff ?? false,
      project,
      tags: opts.tags
        ?.split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    });
    return applyExitCode(result);
  } finally {
    stop();
  }
}

export function applyExitCode(result: RunResult): number {
  if (result.interrupted) return ExitCode.INTERRUPTED;
  if (result.locked.length) return ExitCode.LOCKED;
  if (result.failed.length) return ExitCode.HOST_FAILED;
  if (result.unreachable.length) return ExitCode.HOST_UNREACHABLE;
  return ExitCode.OK;
}
