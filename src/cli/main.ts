/**
 * Commander wiring only. The commands are defined by group under ./program;
 * each one's code lives in its own module under ./commands and is loaded
 * when it runs, so `--version` and `validate` stay fast and never load the
 * SSH stack.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, exitCodeFor } from './exit-codes';
import { processIo, type Io } from './io';
import type { Action, ProgramContext } from './program/context';
import { addBackupCommands } from './program/backup';
import { addHostCommands } from './program/hosts';
import { addLabCommands } from './program/lab';
import { addOfflineCommands } from './program/offline';
import { addVaultCommands, addVaultPasswordOptions } from './program/vault';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../../package.json') as { version: string };

export { DEFAULT_INVENTORY, DEFAULT_PLAYBOOK } from './program/context';

export function buildProgram(io: Io, setAction: (action: Action) => void): Command {
  const program = new Command('foobar-infra')
    .description('Make the servers of a small web stack match a description kept in git.')
    .version(version, '-V, --version')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  const ctx: ProgramContext = { setAction, version };
  addOfflineCommands(program, ctx);
  addHostCommands(program, ctx);
  addBackupCommands(program, ctx);
  addVaultCommands(program, ctx);
  addLabCommands(program, ctx);
  // After the others: its password option goes on the commands that resolve secrets.
  addVaultPasswordOptions(program);
  program
    .command('completion')
    .description('print the bash or zsh completion script (see README: Shell completion)')
    .addArgument(program.createArgument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') =>
      setAction(async (io) =>
        (await import('./commands/completion')).runCompletion(shell, program, io),
      ),
    );

  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let action: Action | undefined;
  const program = buildProgram(io, (a) => {
    action = a;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; usage errors were already printed.
      return error.exitCode === 0 ? ExitCode.OK : ExitCode.ERROR;
    }
    return exitCodeFor(error, io);
  }
  if (!action) return ExitCode.OK;
  try {
    return await action(io);
  } catch (error) {
    return exitCodeFor(error, io);
  }
}
