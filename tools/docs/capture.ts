import { VaultStore } from '../../src/vault/vault-store';
import { applyExitCode } from '../../src/cli/commands/apply';
import { renderedProject } from '../../src/cli/commands/rendered-project';
import { exitCodeFor } from '../../src/cli/exit-codes';
import { gracefulInterrupt } from '../../src/cli/interrupt';
import { memoryIo } from '../../src/cli/io';
import { DEFAULT_PLAYBOOK, main } from '../../src/cli/main';
import type { HostDriver } from '../../src/engine/host-driver';
import { MemoryDriver } from '../../test/support/memory-driver';
import type { MemoryHost } from '../../src/facts/memory-host';
import { runPlaybook } from '../../src/engine/runner';
import { resolveSecrets } from '../../src/engine/secrets';
import { textReporter } from '../../src/report/text-reporter';

/**
 * Runs the tool the way the troubleshooting page shows it, without SSH or a
 * network, and captures what a terminal would show (stdout and stderr in
 * order, no colour) and the exit code.
 */

/** One command and what it printed. */
export interface Capture {
  command: string;
  output: string;
  exitCode: number;
}

/** Environment variables set (a string) or unset (undefined) for one run. */
export type EnvChanges = Record<string, string | undefined>;

/**
 * Runs `work` in the project root with a controlled environment: every
 * FOOBAR_* variable of the caller's environment is hidden (so the output does
 * not depend on who runs it), then `env` applies. Both are restored after.
 */
async function isolated<T>(root: string, env: EnvChanges, work: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  const saved = { ...process.env };
  for (const key of Object.keys(process.env))
    if (key.startsWith('FOOBAR_')) delete process.env[key];
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  process.chdir(root);
  try {
    return await work();
  } finally {
    process.chdir(cwd);
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/** The CLI itself, in process, on local files only (validate, render, inventory, diff --against). */
export async function runCli(root: string, args: string[], env: EnvChanges = {}): Promise<Capture> {
  return isolated(root, env, async () => {
    const io = memoryIo();
    const exitCode = await main(['node', 'foobar-infra', ...args], io);
    return { command: `foobar-infra ${args.join(' ')}`, output: io.both, exitCode };
  });
}

export interface MemoryApply {
  inventory: string;
  playbook?: string;
  check?: boolean;
  limit?: string;
  tags?: string[];
  env?: EnvChanges;
  /** The simulated hosts, by name; their state carries over from one run to the next. */
  hosts: Map<string, MemoryHost>;
  /**
   * Opens a host: by default an in-memory driver over its simulated state.
   * A case replaces it to make the connection fail the way SSH would.
   */
  connect?: (host: string) => Promise<HostDriver>;
  /** Press Ctrl-C right after the first change that recorded a handler. */
  interruptAfterHandlerRecorded?: boolean;
}

/**
 * `apply`, as src/cli/commands/apply.ts runs it (the same checks before
 * connecting, the same engine, reporter and exit codes), over in-memory hosts
 * instead of SSH connections.
 */
export async function runApplyInMemory(root: string, o: MemoryApply): Promise<Capture> {
  const playbook = o.playbook ?? DEFAULT_PLAYBOOK;
  const command = [
    'foobar-infra apply -i',
    o.inventory,
    ...(playbook === DEFAULT_PLAYBOOK ? [] : [playbook]),
    ...(o.check ? ['--check'] : []),
    ...(o.limit ? ['--limit', o.limit] : []),
    ...(o.tags ? ['--tags', o.tags.join(',')] : []),
  ].join(' ');
  return isolated(root, o.env ?? {}, async () => {
    const io = memoryIo();
    let exitCode: number;
    const before = new Set(process.listeners('SIGINT'));
    const interrupt = gracefulInterrupt(io);
    const ctrlC = process.listeners('SIGINT').find((l) => !before.has(l));
    try {
      const { project, scope } = renderedProject({
        inventory: o.inventory,
        playbook,
        limit: o.limit,
      });
      // The cases hold no vault reference: asking for a vault password is a bug of a case.
      const noVault = new VaultStore(() =>
        Promise.reject(new Error('a troubleshooting case asked for a vault password')),
      );
      const secret = await resolveSecrets(project, scope, io.redactor, noVault);
      const open = async (host: string): Promise<HostDriver> => {
        const state = o.hosts.get(host);
        if (!state) throw new Error(`no simulated host ${host}`);
        const driver = new MemoryDriver(state);
        if (o.interruptAfterHandlerRecorded) {
          const execute = driver.execute.bind(driver);
          driver.execute = async (changes, options) => {
            await execute(changes, options);
            if (options.groups?.some((g) => g.record.length > 0)) ctrlC?.('SIGINT');
          };
        }
        return driver;
      };
      const result = await runPlaybook({
        project,
        secret,
        redact: (text) => io.redactor.redact(text),
        connect: o.connect ?? open,
        emit: textReporter({ color: false, verbosity: 0, out: (line) => io.out(line) }),
        check: o.check ?? false,
        diff: false,
        limit: o.limit,
        tags: o.tags,
        forks: 10,
        signal: interrupt.signal,
      });
      exitCode = applyExitCode(result);
    } catch (error) {
      exitCode = exitCodeFor(error, io);
    } finally {
      interrupt.dispose();
    }
    return { command, output: io.both, exitCode };
  });
}
