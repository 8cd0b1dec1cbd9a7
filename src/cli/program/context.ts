/**
 * What the command definitions share: the action a parsed command hands
 * back, and the options several commands take. Commander wiring only; each
 * command's code is loaded when it runs.
 */
import { Option, type Command } from 'commander';
import type { Io } from '../io';

export const DEFAULT_INVENTORY = 'inventories/production.example.yml';
export const DEFAULT_PLAYBOOK = 'playbooks/site.yml';

/** What a parsed command runs: it returns the exit code. */
export type Action = (io: Io) => Promise<number>;

export interface ProgramContext {
  /** Records the parsed command's action; main() runs it after parsing. */
  setAction(action: Action): void;
  /** The tool's version (for the plan document). */
  version: string;
}

/** True when the user gave --playbook (not its default): the file must then exist. */
export const playbookGiven = (command: Command): boolean =>
  command.getOptionValueSource('playbook') === 'cli';

export const inventoryOption = () =>
  new Option('-i, --inventory <file>', 'inventory file').default(DEFAULT_INVENTORY);

/** The options of the commands that connect to hosts (apply, diff). */
export const hostRunOptions = (command: Command, help: { lock: string; verbose: string }) =>
  command
    .option('-l, --limit <pattern>', 'only hosts matching this pattern')
    .option('-f, --forks <n>', 'hosts worked on in parallel', '10')
    .option(
      '--accept-new',
      'trust the host key of a host not yet in known_hosts (never a changed key)',
    )
    .option('--lock-timeout <seconds>', help.lock, '0')
    .option('-v, --verbose', help.verbose, (_v: string, n: number) => n + 1, 0);
