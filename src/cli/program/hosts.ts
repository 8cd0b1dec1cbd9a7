/** The commands that work on the hosts over SSH: apply, diff, status, releases, rollback, promote. */
import { Option, type Command } from 'commander';
import { DEFAULT_PLAYBOOK, hostRunOptions, inventoryOption, type ProgramContext } from './context';

export function addHostCommands(program: Command, ctx: ProgramContext): void {
  for (const add of [addApply, addDiff, addStatus, addReleases, addRollback, addPromote])
    add(program, ctx);
}

function addApply(program: Command, ctx: ProgramContext): void {
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
  }).action((playbook: string, opts: Omit<import('../commands/apply').ApplyOptions, 'playbook'>) =>
    ctx.setAction(async (io) =>
      (await import('../commands/apply')).runApply({ ...opts, playbook }, io),
    ),
  );
}

function addDiff(program: Command, ctx: ProgramContext): void {
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
  }).action((playbook: string, opts: Omit<import('../commands/diff').DiffOptions, 'playbook'>) =>
    ctx.setAction(async (io) =>
      (await import('../commands/diff')).runDiff({ ...opts, playbook }, io, ctx.version),
    ),
  );
}

function addStatus(program: Command, ctx: ProgramContext): void {
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
    .action(
      (playbook: string, opts: Omit<import('../commands/status').StatusOptions, 'playbook'>) =>
        ctx.setAction(async (io) =>
          (await import('../commands/status')).runStatus({ ...opts, playbook }, io),
        ),
    );
}

function addReleases(program: Command, ctx: ProgramContext): void {
  program
    .command('releases')
    .description(
      "each host's releases of the code base, read-only: the current one, the one a rollback goes back to, when each was made",
    )
    .addOption(inventoryOption())
    .argument('[playbook]', 'the playbook whose release tasks are read', DEFAULT_PLAYBOOK)
    .option('-l, --limit <pattern>', 'only hosts matching this pattern')
    .addOption(
      new Option('--format <format>', 'output on stdout').choices(['text', 'json']).default('text'),
    )
    .option('--accept-new', 'trust the host key of a host not yet in known_hosts')
    .action(
      (playbook: string, opts: Omit<import('../commands/releases').ReleasesOptions, 'playbook'>) =>
        ctx.setAction(async (io) =>
          (await import('../commands/releases')).runReleases({ ...opts, playbook }, io),
        ),
    );
}

function addRollback(program: Command, ctx: ProgramContext): void {
  const rollback = program
    .command('rollback')
    .description(
      'switch each host back to the release before its current one (or --to ID), host by host behind the health gate; `releases` lists them',
    )
    .addOption(inventoryOption())
    .argument('[playbook]', 'the playbook whose release tasks are rolled back', DEFAULT_PLAYBOOK)
    .option('--to <id>', 'the release to switch to (default: the one before the current one)')
    .option('-C, --check', 'change nothing: report what would switch');
  hostRunOptions(rollback, {
    lock: "wait this long for another run's lock on a host (default: refuse at once)",
    verbose: 'more output (repeat for more)',
  }).action(
    (playbook: string, opts: Omit<import('../commands/rollback').RollbackOptions, 'playbook'>) =>
      ctx.setAction(async (io) =>
        (await import('../commands/rollback')).runRollback({ ...opts, playbook }, io),
      ),
  );
}

function addPromote(program: Command, ctx: ProgramContext): void {
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
        opts: Omit<import('../commands/promote').PromoteOptions, 'host' | 'playbook'>,
      ) =>
        ctx.setAction(async (io) =>
          (await import('../commands/promote')).runPromote({ ...opts, host, playbook }, io),
        ),
    );
}
