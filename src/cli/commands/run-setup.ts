import * as os from 'node:os';
import { UsageError } from '../../core/errors';
import type { EngineEvent } from '../../engine/events';
import type { LockRequest } from '../../engine/lock-script';
import type { Project } from '../../engine/project';
import { runPlaybook, type RunResult } from '../../engine/runner';
import { resolveSecrets } from '../../engine/secrets';
import { sessionOpener } from '../../engine/sessions';
import type { Fact, FactRequest } from '../../facts/types';
import type { VaultStore } from '../../vault/vault-store';
import { gracefulInterrupt } from '../interrupt';
import type { Io } from '../io';
import { vaultStore, type VaultPasswordOptions } from '../vault-password';
import { renderedProject } from './rendered-project';

/** How long one remote command may run (a package install, a database dump). */
const COMMAND_TIMEOUT_MS = 30 * 60 * 1000;

export interface RunSetup {
  project: Project;
  /** Hosts the run covers, in inventory order. */
  hosts: string[];
  /**
   * Runs the playbook over SSH (one connection per host): every output
   * masked by the redactor, Ctrl-C graceful, and every remote command told to
   * `trace` when given (for -v).
   */
  run(options: {
    emit: (event: EngineEvent) => void;
    trace?: (event: Extract<EngineEvent, { type: 'trace' }>) => void;
    check: boolean;
    diff: boolean;
    tags?: string[];
    /** What the run does instead of the loaded playbook (rollback's release switches). */
    project?: Project;
  }): Promise<RunResult>;
  /** Facts of one host, over a connection of their own (closed after). */
  gather(host: string, requests: readonly FactRequest[]): Promise<Map<string, Fact>>;
}

/**
 * What `apply` and `diff` share before they touch a host: the project loaded
 * and checked, --limit and --forks checked, every secret resolved (and so
 * known to the redactor) before anything connects. `vaults` carries the
 * vaults a command opened already (each is decrypted once per run).
 */
export async function prepareRun(
  opts: {
    inventory: string;
    playbook: string;
    limit?: string;
    forks: string;
    acceptNew?: boolean;
    lockTimeout?: string;
  } & VaultPasswordOptions,
  io: Io,
  lock: { command: string; mode: LockRequest['mode'] },
  vaults: VaultStore = vaultStore(opts, io),
): Promise<RunSetup> {
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
  // Everything `validate` checks, before any connection: a template or task
  // argument that cannot render for some host stops the run before it starts,
  // not halfway through.
  const { project, scope: hosts } = renderedProject(opts);
  const secret = await resolveSecrets(project, hosts, io.redactor, vaults);
  const open = sessionOpener(project.inventory, secret, {
    acceptNew: opts.acceptNew ?? false,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    lock: lockRequest,
    isDeadHolder: isDeadLocalRun,
  });
  const connect = (
    host: string,
    trace?: (event: Extract<EngineEvent, { type: 'trace' }>) => void,
  ) => open(host, trace ? (command) => trace({ type: 'trace', host, ...command }) : undefined);
  return {
    project,
    hosts,
    async gather(host, requests) {
      const driver = await connect(host);
      try {
        return (await driver.gather(requests)).facts;
      } finally {
        await driver.close().catch(() => undefined);
      }
    },
    async run({ emit, trace, check, diff, tags, project: instead }) {
      const interrupt = gracefulInterrupt(io);
      try {
        return await runPlaybook({
          project: instead ?? project,
          secret,
          redact: (text) => io.redactor.redact(text),
          connect: (host) => connect(host, trace),
          emit,
          check,
          diff,
          limit: opts.limit,
          tags,
          forks,
          signal: interrupt.signal,
        });
      } finally {
        interrupt.dispose();
      }
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
