import { UsageError } from '../../core/errors';
import { RemoteDriver } from '../../engine/remote-driver';
import { requireProject } from '../../engine/project';
import { runPlaybook, type RunResult } from '../../engine/runner';
import { resolveSecrets } from '../../engine/secrets';
import { connectTarget } from '../../engine/targets';
import { playHosts } from '../../engine/expand';
import { selectHosts } from '../../inventory/patterns';
import { textReporter } from '../../report/text-reporter';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';

export interface ApplyOptions {
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
}

const COMMAND_TIMEOUT_MS = 30 * 60 * 1000;

/** `apply`: make the hosts match; with --check, only say what would change. */
export async function runApply(opts: ApplyOptions, io: Io): Promise<number> {
  const forks = Number(opts.forks);
  if (!Number.isInteger(forks) || forks < 1)
    throw new UsageError(`--forks must be a whole number of 1 or more, got ${opts.forks}`);
  const project = requireProject(opts.inventory, opts.playbook);
  if (opts.limit && selectHosts(project.inventory, opts.limit).hosts.length === 0) {
    throw new UsageError(`--limit ${opts.limit} matches no host of ${opts.inventory}`);
  }
  const inScope = [
    ...new Set(project.playbook.plays.flatMap((p) => playHosts(project, p, opts.limit))),
  ];
  const secret = resolveSecrets(project, inScope, io.redactor);
  const { sshTransport } = await import('../../transport');
  const transport = sshTransport();
  const result = await runPlaybook({
    project,
    secret,
    containsSecret: (text) => io.redactor.redact(text) !== text,
    connect: async (host) => {
      const connection = await transport.connect(
        connectTarget(project.inventory, host, { acceptNew: opts.acceptNew ?? false, secret }),
      );
      return new RemoteDriver(connection, COMMAND_TIMEOUT_MS);
    },
    emit: textReporter({
      color: io.color,
      verbosity: opts.verbose ?? 0,
      timings: opts.timings,
      out: (line) => io.out(line),
    }),
    check: opts.check ?? false,
    diff: opts.diff ?? false,
    limit: opts.limit,
    tags: opts.tags
      ?.split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    forks,
  });
  return applyExitCode(result);
}

export function applyExitCode(result: RunResult): number {
  if (result.failed.length) return ExitCode.HOST_FAILED;
  if (result.unreachable.length) return ExitCode.HOST_UNREACHABLE;
  return ExitCode.OK;
}
