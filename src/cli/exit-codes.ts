import { FoobarError, InternalError, formatDiagnostic } from '../core/errors';
import type { Io } from './io';

/**
 * Every exit code of the tool, in one place. README documents them.
 * `diff` follows Terraform's -detailed-exitcode: 0 converged, 2 changes pending, 1 error.
 */
export const ExitCode = {
  OK: 0,
  /** Bad input (inventory, playbook, template, arguments) or a local problem. */
  ERROR: 1,
  /** `diff`/`apply --check`: the hosts differ from the description. */
  CHANGES_PENDING: 2,
  /** At least one host had a failed task (a remote command, a change, a plan the host's state refuses, facts it could not give). */
  HOST_FAILED: 3,
  /** No task failed, but at least one host could not be reached. */
  HOST_UNREACHABLE: 4,
  /** Another run holds a host's lock. */
  LOCKED: 5,
  /** A vault could not be opened: no password given, a wrong password, a tampered or unreadable vault file. */
  VAULT: 6,
  /** A bug in foobar-infra. */
  INTERNAL: 70,
  /** Interrupted by SIGINT/SIGTERM. */
  INTERRUPTED: 130,
} as const;

/**
 * `diff` keeps to three codes so that CI can branch on them: 0 converged,
 * 2 changes pending, 1 for anything else that went wrong (bad input, a host
 * unreachable or failing, a candidate refused). An interrupt stays 130.
 */
export function diffExitCode(code: number): number {
  if (code === ExitCode.OK || code === ExitCode.CHANGES_PENDING || code === ExitCode.INTERRUPTED)
    return code;
  return ExitCode.ERROR;
}

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const REPORT_URL = 'the foobar-infra issue tracker';

/** The one place that turns an error into output and an exit code. */
export function exitCodeFor(error: unknown, io: Io): number {
  if (error instanceof FoobarError && !(error instanceof InternalError)) {
    if (error.kind === 'input' && 'diagnostics' in error) {
      const diagnostics = (error as { diagnostics: Parameters<typeof formatDiagnostic>[0][] })
        .diagnostics;
      for (const d of diagnostics) io.err(formatDiagnostic(d));
    } else {
      io.err(`error: ${error.message}`);
    }
    switch (error.kind) {
      case 'transport':
        return ExitCode.HOST_UNREACHABLE;
      case 'command':
      case 'plan':
      case 'facts':
      case 'change':
        return ExitCode.HOST_FAILED;
      case 'lock':
        return ExitCode.LOCKED;
      case 'vault':
        return ExitCode.VAULT;
      case 'interrupted':
        return ExitCode.INTERRUPTED;
      default:
        return ExitCode.ERROR;
    }
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.err(
    `internal error: foobar-infra hit a bug. Please report it to ${REPORT_URL} with the command you ran and this text:\n${detail}`,
  );
  return ExitCode.INTERNAL;
}
