/** `lab ...`: the local Debian test hosts. */
import { Option, type Command } from 'commander';
import type { ProgramContext } from './context';

const labName = () =>
  new Option('--name <lab>', 'lab name (separate hosts, network, state)').default('default');

export function addLabCommands(program: Command, ctx: ProgramContext): void {
  const lab = program
    .command('lab')
    .description('local Debian test hosts (systemd-nspawn in network namespaces); needs root');
  addLifecycle(lab, ctx);
  addStates(lab, ctx);
  addSsh(lab, ctx);
}

/** up, down, status: the lab as a whole. */
function addLifecycle(lab: Command, ctx: ProgramContext): void {
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
      ctx.setAction(async (io) => (await import('../commands/lab')).labUp(opts, io)),
    );
  lab
    .command('down')
    .description('stop every lab host and remove namespaces, links and mounts')
    .addOption(labName())
    .action((opts: { name: string }) =>
      ctx.setAction(async (io) => (await import('../commands/lab')).labDown(opts, io)),
    );
  lab
    .command('status')
    .description('the lab hosts, their addresses, and whether each is up')
    .addOption(labName())
    .action((opts: { name: string }) =>
      ctx.setAction(async (io) => (await import('../commands/lab')).labStatus(opts, io)),
    );
}

/** reset, checkpoint, stop, start: the hosts' disks and power. */
function addStates(lab: Command, ctx: ProgramContext): void {
  lab
    .command('reset')
    .description('return every lab host (or the given ones) to bare: stop, drop changes, boot')
    .addOption(labName())
    .option('--to <checkpoint>', 'to this checkpoint (lab checkpoint) instead of bare')
    .argument('[hosts...]', 'host names (default: all)')
    .action((hosts: string[], opts: { name: string; to?: string }) =>
      ctx.setAction(async (io) => (await import('../commands/lab')).labReset(hosts, opts, io)),
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
      ctx.setAction(async (io) =>
        (await import('../commands/lab')).labCheckpoint(checkpoint, hosts, opts, io),
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
        ctx.setAction(async (io) =>
          (await import('../commands/lab')).labPower(power, hosts, opts, io),
        ),
      );
}

function addSsh(lab: Command, ctx: ProgramContext): void {
  lab
    .command('ssh')
    .description('a shell (or one command) on a lab host, as the deploy user')
    .addOption(labName())
    .argument('<host>', 'host name')
    .argument('[command...]', 'command to run instead of a shell')
    .allowUnknownOption()
    .action((host: string, command: string[], opts: { name: string }) =>
      ctx.setAction(async (io) =>
        (await import('../commands/lab')).labSsh(host, command, opts, io),
      ),
    );
}
