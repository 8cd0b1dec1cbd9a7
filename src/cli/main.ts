/**
 * Commander wiring only. Each command lives in its own module under
 * ./commands and is loaded when it runs, so `--version` and `validate` stay
 * fast and never load the SSH stack.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, exitCodeFor } from './exit-codes';
import { processIo, type Io } from './io';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../../package.json') as { version: string };

export const DEFAULT_INVENTORY = 'inventories/production.example.yml';
export const DEFAULT_PLAYBOOK = 'playbooks/site.yml';

type Action = (io: Io) => Promise<number>;

/** True when the user gave --playbook (not its default): the file must then exist. */
const playbookGiven = (command: Command): boolean =>
  command.getOptionValueSource('playbook') === 'cli';

export function buildProgram(io: Io, setAction: (action: Action) => void): Command {
  const program = new Command('foobar-infra')
    .description('Make the servers of a small web stack match a description kept in git.')
    .version(version, '-V, --version')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  const inventoryOption = () =>
    new Option('-i, --inventory <file>', 'inventory file').default(DEFAULT_INVENTORY);
  /** The options of the commands that connect to hosts (apply, diff). */
  const hostRunOptions = (command: Command, help: { lock: string; verbose: string }) =>
    command
      .option('-l, --limit <pattern>', 'only hosts matching this pattern')
      .option('-f, --forks <n>', 'hosts worked on in parallel', '10')
      .option(
        '--accept-new',
        'trust the host key of a host not yet in known_hosts (never a changed key)',
      )
      .option('--lock-timeout <seconds>', help.lock, '0')
      .option('-v, --verbose', help.verbose, (_v: string, n: number) => n + 1, 0);

  program
    .command('validate')
    .description('check the inventory, the playbook and a trial render of every template; no SSH')
    .addOption(inventoryOption())
    .argument('[playbook]', 'playbook file', DEFAULT_PLAYBOOK)
    .action((playbook: string, opts: { inventory: string }) =>
      setAction(async (io) =>
        (await import('./commands/validate')).runValidate({ ...opts, playbook }, io),
      ),
    );

  program
    .command('inventory')
    .description('show the merged inventory: every host, the group tree, or one host')
    .addOption(inventoryOption())
    .option('--playbook <file>', 'playbook whose declared variables are allowed', DEFAULT_PLAYBOOK)
    .addOption(
      new Option('--list', 'every host with its merged variables (JSON)').conflicts([
        'graph',
        'host',
      ]),
    )
    .addOption(new Option('--graph', 'the group tree').conflicts(['host']))
    .option('--host <name>', "one host's merged variables (JSON)")
    .action(
      (
        opts: {
          inventory: string;
          playbook: string;
          list?: boolean;
          graph?: boolean;
          host?: string;
        },
        command: Command,
      ) =>
        setAction(async (io) =>
          (await import('./commands/inventory')).runInventory(
            { ...opts, playbookGiven: playbookGiven(command) },
            io,
          ),
        ),
    );

  program
    .command('render')
    .description('write every file each host would receive to DIR/<host>/<path>; no SSH')
    .addOption(inventoryOption())
    .requiredOption('--out <dir>', 'output folder')
    .option('-l, --limit <pattern>', 'only hosts matching this pattern')
    .argument('[playbook]', 'playbook file', DEFAULT_PLAYBOOK)
    .action((playbook: string, opts: { inventory: string; out: string; limit?: string }) =>
      setAction(async (io) =>
        (await import('./commands/render')).runRender({ ...opts, playbook }, io),
      ),
    );

  program
    .command('graph')
    .description(
      'draw the site the inventory describes: hosts, services, addresses, ports, firewall openings; no SSH',
    )
    .addOption(inventoryOption())
    .option('--playbook <file>', 'playbook whose declared variables are allowed', DEFAULT_PLAYBOOK)
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['mermaid', 'dot', 'svg'])
        .default('mermaid'),
    )
    .option('-o, --out <file>', 'write to this file (atomically) instead of stdout')
    .action((opts: import('./commands/graph').GraphOptions, command: Command) =>
      setAction(async (io) =>
        (await import('./commands/graph')).runGraph(
          { ...opts, playbookGiven: playbookGiven(command) },
          io,
        ),
      ),
    );

  const apply = program
    .command('apply')
    .description('make the hosts match the playbook over SSH; only what differs is changed')
    .addOption(inventoryOption())
    .argument('[playbook]', 'playbook file', DEFAULT_PLAYBOOK)
    .option('-C, --check', 'change nothing: report what would change')
    .option('-D, --diff', 'show unified diffs of file changes (secrets masked)')
    .option('-t, --tags <tags>', 'only tasks with one of these tags (comma-separated)')
    .option(
      '--timings',
      "print where each host's time went, with SSH connections and remote commands",
    );
  hostRunOptions(apply, {
    lock: "wait this long for another run's lock on a host (default: refuse at once)",
    verbose: 'more output (repeat for more)',
  }).action((playbook: string, opts: Omit<import('./commands/apply').ApplyOptions, 'playbook'>) =>
    setAction(async (io) => (await import('./commands/apply')).runApply({ ...opts, playbook }, io)),
  );

  const diff = program
    .command('diff')
    .description(
      'the full plan against the live hosts, read-only: diffs, validation on the hosts; exit 0 converged, 2 changes, 1 error',
    )
    .addOption(inventoryOption())
    .argument('[playbook]', 'playbook file', DEFAULT_PLAYBOOK)
    .addOption(
      new Option('--format <format>', 'output on stdout').choices(['text', 'json']).default('text'),
    )
    .option('--out <file>', 'also write the plan as JSON to this file (secrets masked)')
    .option(
      '--against <dir>',
      'offline: compare a fresh render with an earlier `render --out` folder; no SSH',
    )
    .option('--timings', "print where each host's time went (the JSON plan always has it)");
  hostRunOptions(diff, {
    lock: "wait this long for an apply's lock on a host (default: refuse at once)",
    verbose: 'trace remote commands on stderr (repeat for more)',
  }).action((playbook: string, opts: Omit<import('./commands/diff').DiffOptions, 'playbook'>) =>
    setAction(async (io) =>
      (await import('./commands/diff')).runDiff({ ...opts, playbook }, io, version),
    ),
  );

  program
    .command('status')
    .description(
      'a read-only health view of the site, one round trip per host: exit 0 healthy, 1 degraded, 2 down',
    )
    .addOption(inventoryOption())
    .argument('[playbook]', "the site's playbook", DEFAULT_PLAYBOOK)
    .addOption(
      new Option('--format <format>', 'output on stdout').choices(['text', 'json']).default('text'),
    )
    .option('-w, --watch [seconds]', 'refresh every few seconds (default 2) until Ctrl-C')
    .option('--accept-new', 'trust the host key of a host not yet in known_hosts')
    .action((playbook: string, opts: Omit<import('./commands/status').StatusOptions, 'playbook'>) =>
      setAction(async (io) =>
        (await import('./commands/status')).runStatus({ ...opts, playbook }, io),
      ),
    );

  program
    .command('promote')
    .description(
      'the primary is lost: make its replica HOST the primary, point the site at it, and print (or --write) the inventory change',
    )
    .argument('<host>', 'the replica to promote')
    .addOption(inventoryOption())
    .argument('[playbook]', "the site's playbook", DEFAULT_PLAYBOOK)
    .option('--force', 'promote even when the replica is broken or lagging, or the primary answers')
    .option('--write', 'write the inventory change (else it is printed to commit)')
    .option('--wait <seconds>', 'how long the replica may take to apply what it received', '30')
    .option('-f, --forks <n>', 'hosts worked on in parallel', '10')
    .option('--accept-new', 'trust the host key of a host not yet in known_hosts')
    .action(
      (
        host: string,
        playbook: string,
        opts: Omit<import('./commands/promote').PromoteOptions, 'host' | 'playbook'>,
      ) =>
        setAction(async (io) =>
          (await import('./commands/promote')).runPromote({ ...opts, host, playbook }, io),
        ),
    );

  // Encrypted secrets: `vault ACTION FILE`, and the vault password option of
  // every command that resolves secrets.
  const vault = program
    .command('vault')
    .description(
      'encrypted secrets files (AES-256-GCM, scrypt) read by { vault: NAME } references',
    );
  const passwordHelp = `file holding the vault password (else $FOOBAR_VAULT_PASSWORD_FILE, else asked on a terminal)`;
  for (const [action, what] of [
    ['create', 'write a new vault with $EDITOR (the password asked twice)'],
    ['edit', 'change a vault with $EDITOR; rewritten only when changed'],
    ['view', 'print the plaintext'],
    ['encrypt', 'encrypt a plain YAML file (NAME: value) in place'],
    ['decrypt', 'decrypt a vault in place, or to --output'],
    ['rekey', 'encrypt a vault under a new password'],
  ] as const) {
    const command = vault
      .command(action)
      .description(what)
      .argument('<file>', 'the vault file')
      .option('--vault-password-file <file>', passwordHelp);
    if (action === 'decrypt')
      command.option('--output <file>', 'write the plaintext there (- for stdout) instead');
    if (action === 'rekey')
      command.option('--new-vault-password-file <file>', 'file holding the new password');
    command.action((file: string, opts: import('./commands/vault').VaultOptions) =>
      setAction(async (io) => (await import('./commands/vault')).runVault(action, file, opts, io)),
    );
  }
  for (const name of ['validate', 'apply', 'diff', 'status', 'promote'])
    program.commands
      .find((c) => c.name() === name)
      ?.option(
        '--vault-password-file <file>',
        name === 'validate'
          ? `file holding the vault password (else $FOOBAR_VAULT_PASSWORD_FILE); without one, vault references are warned about, not checked`
          : passwordHelp,
      );

  const lab = program
    .command('lab')
    .description('local Debian test hosts (systemd-nspawn in network namespaces); needs root');
  const labName = () =>
    new Option('--name <lab>', 'lab name (separate hosts, network, state)').default('default');
  lab
    .command('up')
    .description('build the image if needed and boot the lab hosts')
    .addOption(
      new Option('--flavor <flavor>', 'database flavour')
        .choices(['mysql', 'mariadb'])
        .default('mysql'),
    )
    .option('--hosts <n|names>', 'number of hosts, or comma-separated names (first is the lb)')
    .option('--subnet <cidr>', 'the lab /24', '10.231.0.0/24')
    .addOption(labName())
    .action((opts: { flavor: 'mysql' | 'mariadb'; hosts?: string; subnet: string; name: string }) =>
      setAction(async (io) => (await import('./commands/lab')).labUp(opts, io)),
    );
  lab
    .command('down')
    .description('stop every lab host and remove namespaces, links and mounts')
    .addOption(labName())
    .action((opts: { name: string }) =>
      setAction(async (io) => (await import('./commands/lab')).labDown(opts, io)),
    );
  lab
    .command('status')
    .description('the lab hosts, their addresses, and whether each is up')
    .addOption(labName())
    .action((opts: { name: string }) =>
      setAction(async (io) => (await import('./commands/lab')).labStatus(opts, io)),
    );
  lab
    .command('reset')
    .description('return every lab host (or the given ones) to bare: stop, drop changes, boot')
    .addOption(labName())
    .option('--to <checkpoint>', 'to this checkpoint (lab checkpoint) instead of bare')
    .argument('[hosts...]', 'host names (default: all)')
    .action((hosts: string[], opts: { name: string; to?: string }) =>
      setAction(async (io) => (await import('./commands/lab')).labReset(hosts, opts, io)),
    );
  lab
    .command('checkpoint')
    .description(
      "save every lab host's disk (or the given ones') as it is now, for lab reset --to; the hosts reboot",
    )
    .addOption(labName())
    .argument('<checkpoint>', 'checkpoint name (an existing one is replaced)')
    .argument('[hosts...]', 'host names (default: all)')
    .action((checkpoint: string, hosts: string[], opts: { name: string }) =>
      setAction(async (io) =>
        (await import('./commands/lab')).labCheckpoint(checkpoint, hosts, opts, io),
      ),
    );
  for (const [command, power, what] of [
    ['stop', 'off', 'shut lab hosts down and power them off; their disks are kept'],
    ['start', 'on', 'boot powered-off lab hosts from their disks'],
  ] as const)
    lab
      .command(command)
      .description(what)
      .addOption(labName())
      .argument('<hosts...>', 'host names')
      .action((hosts: string[], opts: { name: string }) =>
        setAction(async (io) => (await import('./commands/lab')).labPower(power, hosts, opts, io)),
      );
  lab
    .command('ssh')
    .description('a shell (or one command) on a lab host, as the deploy user')
    .addOption(labName())
    .argument('<host>', 'host name')
    .argument('[command...]', 'command to run instead of a shell')
    .allowUnknownOption()
    .action((host: string, command: string[], opts: { name: string }) =>
      setAction(async (io) => (await import('./commands/lab')).labSsh(host, command, opts, io)),
    );

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
