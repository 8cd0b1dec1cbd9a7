/** The commands that read only local files: validate, inventory, render, graph. No SSH. */
import { Option, type Command } from 'commander';
import { DEFAULT_PLAYBOOK, inventoryOption, playbookGiven, type ProgramContext } from './context';

export function addOfflineCommands(program: Command, ctx: ProgramContext): void {
  for (const add of [addValidate, addInventory, addRender, addGraph]) add(program, ctx);
}

function addValidate(program: Command, ctx: ProgramContext): void {
  program
    .command('validate')
    .description('check the inventory, the playbook and a trial render of every template; no SSH')
    .addOption(inventoryOption())
    .argument('[playbook]', 'playbook file', DEFAULT_PLAYBOOK)
    .action((playbook: string, opts: { inventory: string }) =>
      ctx.setAction(async (io) =>
        (await import('../commands/validate')).runValidate({ ...opts, playbook }, io),
      ),
    );
}

function addInventory(program: Command, ctx: ProgramContext): void {
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
        ctx.setAction(async (io) =>
          (await import('../commands/inventory')).runInventory(
            { ...opts, playbookGiven: playbookGiven(command) },
            io,
          ),
        ),
    );
}

function addRender(program: Command, ctx: ProgramContext): void {
  program
    .command('render')
    .description('write every file each host would receive to DIR/<host>/<path>; no SSH')
    .addOption(inventoryOption())
    .requiredOption('--out <dir>', 'output folder')
    .option('-l, --limit <pattern>', 'only hosts matching this pattern')
    .argument('[playbook]', 'playbook file', DEFAULT_PLAYBOOK)
    .action((playbook: string, opts: { inventory: string; out: string; limit?: string }) =>
      ctx.setAction(async (io) =>
        (await import('../commands/render')).runRender({ ...opts, playbook }, io),
      ),
    );
}

function addGraph(program: Command, ctx: ProgramContext): void {
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
    .action((opts: import('../commands/graph').GraphOptions, command: Command) =>
      ctx.setAction(async (io) =>
        (await import('../commands/graph')).runGraph(
          { ...opts, playbookGiven: playbookGiven(command) },
          io,
        ),
      ),
    );
}
