/** `backup list|restore`: the database backups the site playbook sets up. */
import { Option, type Command } from 'commander';
import { DEFAULT_PLAYBOOK, inventoryOption, type ProgramContext } from './context';

type ListOptions = Omit<import('../commands/backup').BackupListOptions, 'playbook'>;
type RestoreOptions = Omit<import('../commands/backup-restore').BackupRestoreOptions, 'playbook'>;

export function addBackupCommands(program: Command, ctx: ProgramContext): void {
  const backup = program
    .command('backup')
    .description(
      'the database backups: dumps on the backup hosts (each replica, or backup_host), verified by a restore, and the binary logs for point-in-time recovery',
    );
  backup
    .command('list')
    .description(
      "each backup host's dumps, newest first: time, size, GTID position, whether verified; and its binary log archive",
    )
    .addOption(inventoryOption())
    .argument('[playbook]', "the site's playbook", DEFAULT_PLAYBOOK)
    .option('-l, --limit <pattern>', 'only backup hosts matching this pattern')
    .addOption(
      new Option('--format <format>', 'output on stdout').choices(['text', 'json']).default('text'),
    )
    .option('--accept-new', 'trust the host key of a host not yet in known_hosts')
    .action((playbook: string, opts: ListOptions) =>
      ctx.setAction(async (io) =>
        (await import('../commands/backup')).runBackupList({ ...opts, playbook }, io),
      ),
    );
  backup
    .command('restore')
    .description(
      'restore the newest verified dump before TIME and replay the binary logs up to TIME (or to their end with --latest) into a scratch server on the backup host, left running to read from; live servers are not touched',
    )
    .addOption(inventoryOption())
    .argument('[playbook]', "the site's playbook", DEFAULT_PLAYBOOK)
    .option('--at <time>', 'the moment to restore (ISO 8601; without a zone, local time)')
    .option('--latest', 'as far as the archived binary logs go')
    .option('--from <host>', 'the backup host to restore from (default: the first)')
    .option(
      '--to <host>',
      "then load the restored data into the primary HOST (with --force): each restored table replaces the primary's, and replicates",
    )
    .option('--tables <names>', "with --to: only these tables of the application's database")
    .option('--force', 'with --to: write over the live primary')
    .option('--timeout <seconds>', 'how long the restore may take on the host', '3600')
    .option('--accept-new', 'trust the host key of a host not yet in known_hosts')
    .action((playbook: string, opts: RestoreOptions) =>
      ctx.setAction(async (io) =>
        (await import('../commands/backup-restore')).runBackupRestore({ ...opts, playbook }, io),
      ),
    );
}
