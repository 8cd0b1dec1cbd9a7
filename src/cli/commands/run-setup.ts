import * as os from 'node:os';
import { InputError, UsageError } from '../../core/errors';
import { MASK } from '../../core/redact';
import { desiredFiles } from '../../engine/desired-files';
import type { LockRequest } from '../../engine/lock-script';
import { playHosts } from '../../engine/expand';
import type { HostDriver } from '../../engine/host-driver';
import { requireProject, type Project } from '../../engine/project';
import { RemoteDriver, type CommandTrace } from '../../engine/remote-driver';
import { resolveSecrets } from '../../engine/secrets';
import { connectTarget } from '../../engine/targets';
import { selectHosts } from '../../inventory/patterns';
import type { SecretValue } from '../../render/context';
import type { Io } from '../io';

/** How long one remote command may run (a package install, a database dump). */
const COMMAND_TIMEOUT_MS = 30 * 60 * 1000;

export interface RunSetup {
  project: Project;
  secret: SecretValue;
  forks: number;
  /** Hosts the run covers, in inventory order. */
  hosts: string[];
  /** Opens a host's one SSH connection; `trace` hears of every remote command. */
  connect(host: string, trace?: (host: string, command: CommandTrace) => void): Promise<HostDriver>;
}

/**
 * What `apply` and `diff` share before they touch a host: the project loaded
 * and checked, --limit and --forks checked, every secret resolved (and so
 * known to the redactor) before anything connects.
 */
export function prepareRun(
  opts: {
    inventory: string;
    playbook: string;
    limit?: string;
    forks: string;
    acceptNew?: boolean;
    lockTimeout?: string;
  },
  io: Io,
  lock: { command: string; mode: LockRequest['mode'] },
): RunSetup {
  const forks = Number(opts.forks);
  if (!Number.isInteger(forks) || forks < 1)
    throw new UsageError(`--forks must be a whole number of 1 or more, got ${opts.forks}`);
  const waitSeconds = Number(opts.lockTimeout ?? '0');
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0)
    throw new UsageError(
      `--lock-timeout must be a whole number of seconds, 0 or more, got ${opts.lockTimeout}`,
    );
  const lockRequest: LockRequest = {
    mode: lock.mode,
    owner: `${lock.command} by ${os.userInfo().username}@${os.hostname()} pid ${process.pid}`,
    waitSeconds,
  };
  const project = requireProject(opts.inventory, opts.playbook);
  if (opts.limit && selectHosts(project.inventory, opts.limit).hosts.length === 0) {
    throw new UsageError(`--limit ${opts.limit} matches no host of ${opts.inventory}`);
  }
  // Everything `validate` checks, before any connection: a template or task
  // argument that cannot render for some host stops the run before it starts,
  // not halfway through.
  const trial = desiredFiles(project, { limit: opts.limit, secret: () => MASK });
  if (trial.diagnostics.length > 0) throw new InputError(trial.diagnostics);
  const inScope = new Set(project.playbook.plays.flatMap((p) => playHosts(project, p, opts.limit)));
  const hosts = [...project.inventory.hosts.keys()].filter((h) => inScope.has(h));
  const secret = resolveSecrets(project, hosts, io.redactor);
  let transport: Promise<import('../../transport').Transport> | undefined;
  return {
    project,
    secret,
    forks,
    hosts,
    async connect(host, trace) {
      transport ??= import('../../transport').then((t) => t.sshTransport());
      const connection = await (
        await transport
      ).connect(
        connectTarget(project.inventory, host, { acceptNew: opts.acceptNew ?? false, secret }),
      );
      return new RemoteDriver(
        connection,
        COMMAND_TIMEOUT_MS,
        trace ? (command) => trace(host, command) : undefined,
        lockRequest,
        isDeadLocalRun,
      );
    },
  };
}

/**
 * A lock holder that is a run of this machine whose process is gone: its SSH
 * connection may linger on the host after a network fault (until sshd gives
 * up on it), but nothing is behind it any more.
 */
function isDeadLocalRun(owner: string): boolean {
  const m = / by (\S+)@(\S+) pid (\d+)$/.exec(owner);
  if (!m || m[2] !== os.hostname()) return false;
  const pid = Number(m[3]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
