/**
 * `backup restore`: a dump, then the archived binary logs up to a time (or to
 * their end), into a scratch server on the backup host, left running to read
 * from; with `--to` the primary and `--force`, its databases (or `--tables`)
 * then replace the primary's, replicated from there, and are checked there.
 */
import { FoobarError, UsageError } from '../../core/errors';
import { quote } from '../../core/shell';
import type { HostDriver } from '../../engine/host-driver';
import { sessionOpener } from '../../engine/sessions';
import type { Inventory } from '../../inventory/model';
import { FactView } from '../../modules/fact-view';
import { sqlIdentifier } from '../../mysql';
import { tableFigures, type TableFigures } from '../../site/backups/catalog';
import { chooseRestore, restoreCommand, type RestorePoint } from '../../site/backups/restore-plan';
import { dbRole } from '../../site/roles';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';
import { readHostCatalog, setup, type BackupOptions } from './backup';

/** The primary's tables are not the restored ones after the load: a host failure (exit 3). */
export class RestoreCheckFailed extends FoobarError {
  readonly kind = 'change';
}

export interface BackupRestoreOptions extends BackupOptions {
  at?: string;
  latest?: boolean;
  from?: string;
  /** The primary, to load the restored data into (with force). */
  to?: string;
  force?: boolean;
  /** Comma-separated tables of the application database (with `to`): only these replaced. */
  tables?: string;
  /** Seconds a restore may take on the host. */
  timeout: string;
}

/**
 * `--at` as a time: ISO 8601 with its zone (Z or ±hh:mm), so that the moment
 * never depends on the machine the command runs on.
 */
function parseAt(text: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
  const at = new Date(text.replace(' ', 'T'));
  if (!iso.test(text) || Number.isNaN(at.getTime()))
    throw new UsageError(
      `--at ${JSON.stringify(text)}: not a time with its zone (e.g. 2026-12-05T07:00:00Z or 2026-12-05T08:00:00+01:00)`,
    );
  return at;
}

function restorePoint(opts: BackupRestoreOptions): RestorePoint {
  if ((opts.at === undefined) === (opts.latest !== true))
    throw new UsageError('give one of --at TIME or --latest');
  if (opts.latest) return { latest: true };
  const at = parseAt(opts.at!);
  if (at.getTime() > Date.now())
    throw new UsageError(`--at ${opts.at}: that time has not come yet`);
  return { at };
}

/** The tables of --tables, checked as plain names (they reach a shell and SQL). */
function tableList(opts: BackupRestoreOptions): string[] {
  if (opts.tables === undefined) return [];
  if (opts.to === undefined) throw new UsageError('--tables goes with --to');
  const names = opts.tables.split(',').map((t) => t.trim());
  for (const n of names)
    if (!/^[A-Za-z0-9_$]{1,64}$/.test(n))
      throw new UsageError(`--tables: ${JSON.stringify(n)} is not a plain table name`);
  return names;
}

/** `--to` names the inventory's primary, and --force says to write over it. */
function checkTarget(inventory: Inventory, opts: BackupRestoreOptions): void {
  if (opts.to === undefined) return;
  const host = inventory.hosts.get(opts.to);
  if (!host) throw new UsageError(`--to ${opts.to}: no such host in the inventory`);
  if (dbRole(host) !== 'primary')
    throw new UsageError(
      `--to ${opts.to}: not the primary; a replica takes its data from the primary (restore to the primary: it replicates)`,
    );
  if (!opts.force)
    throw new UsageError(
      `--to ${opts.to} writes the restored tables over the live primary's (and its replicas', by replication): add --force to do so`,
    );
}

/** Each restored table's figures in the program's output, by name. */
function figuresOf(out: string): Map<string, TableFigures> {
  return new Map(tableFigures(out).map((t) => [t.name, t]));
}

export async function runBackupRestore(opts: BackupRestoreOptions, io: Io): Promise<number> {
  const point = restorePoint(opts);
  const tables = tableList(opts);
  const timeout = Number(opts.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new UsageError(`--timeout takes a number of seconds, got ${opts.timeout}`);
  const { project, hosts, secret } = await setup(opts, io, opts.from, opts.to);
  checkTarget(project.inventory, opts);
  const host = hosts[0]!;
  const open = sessionOpener(project.inventory, secret, {
    acceptNew: opts.acceptNew ?? false,
    commandTimeoutMs: timeout * 1000,
  });
  const driver = await open(host.name);
  const program = `cd / && runuser -u ${quote(String(host.vars.backup_user))} -- /usr/local/sbin/foobar-mysql-backup`;
  try {
    // The newest binary logs first: a restore reaches as far as they go.
    try {
      await driver.capture(`${program} binlogs`);
    } catch (error) {
      io.err(
        `warning: ${host.name}: the binary logs could not be archived now: ${(error as Error).message}`,
      );
    }
    const choice = chooseRestore(await readHostCatalog(driver, host), point);
    io.err(`${host.name}: ${choice.summary}`);
    const out = (await driver.capture(`${program} ${restoreCommand(choice)}`)).toString('utf8');
    if (opts.to === undefined) {
      for (const line of out.split('\n').filter(Boolean)) io.out(line);
      return ExitCode.OK;
    }
    const scratch = /^socket=(\S+)\/mysqld\.sock$/m.exec(out)?.[1];
    if (!scratch) throw new UsageError(`${host.name}: the restore did not say where its server is`);
    try {
      await loadIntoPrimary({ driver, program, scratch, tables, figures: figuresOf(out) }, opts, {
        open,
        io,
        database: String(host.vars.mysql_database),
      });
    } catch (error) {
      // The restored data stays at hand: the load can be tried again from it.
      io.err(
        `${host.name}: the scratch server with the restored data is left running: socket ${scratch}/mysqld.sock`,
      );
      throw error;
    }
    await driver.capture(`${program} stop-restore ${quote(scratch)}`);
    return ExitCode.OK;
  } finally {
    await driver.close().catch(() => undefined);
  }
}

interface Restored {
  driver: HostDriver;
  program: string;
  scratch: string;
  tables: string[];
  /** Each restored table's rows and checksum, as the scratch server counted them. */
  figures: Map<string, TableFigures>;
}

/**
 * The scratch server's databases (or tables) loaded into the primary as its
 * local admin; then each restored table counted and checksummed there, and
 * compared with the scratch server's figures.
 */
async function loadIntoPrimary(
  restored: Restored,
  opts: BackupRestoreOptions,
  ctx: { open: (host: string) => Promise<HostDriver>; io: Io; database: string },
): Promise<void> {
  const { driver, program, scratch, tables, figures } = restored;
  const names = tables.length > 0 ? tables.map((t) => `${ctx.database}.${t}`) : [...figures.keys()];
  for (const n of names)
    if (!figures.has(n)) throw new UsageError(`--tables: ${n} is not in the restored data`);
  const data = await driver.capture(
    `${program} export ${[scratch, ...tables].map(quote).join(' ')}`,
  );
  const primary = await ctx.open(opts.to!);
  try {
    await primary.execute(
      [
        {
          kind: 'transfer',
          from: driver.host,
          exportScript: `${program} export`,
          importScript: 'mysql --batch',
          reason: `load the restored ${tables.length > 0 ? `tables ${tables.join(', ')}` : `database ${ctx.database}`}`,
          data,
        },
      ],
      {},
    );
    const queries = names.flatMap((n) => {
      const [db, table] = n.split('.') as [string, string];
      const id = `${sqlIdentifier(db)}.${sqlIdentifier(table)}`;
      return [`SELECT COUNT(*) FROM ${id}`, `CHECKSUM TABLE ${id}`];
    });
    const { facts } = await primary.gather(queries.map((query) => ({ kind: 'sql', query })));
    const view = new FactView(facts);
    const wrong: string[] = [];
    for (const [i, n] of names.entries()) {
      const count = view.sql({ query: queries[2 * i]! });
      const sum = view.sql({ query: queries[2 * i + 1]! });
      const rows = count.ok ? count.output.trim() : '?';
      const checksum = sum.ok ? (sum.output.trim().split('\t')[1] ?? '?') : '?';
      ctx.io.out(`${opts.to}: ${n}: ${rows} rows, CHECKSUM TABLE ${checksum}`);
      const restored = figures.get(n)!;
      if (rows !== String(restored.rows) || checksum !== restored.checksum) wrong.push(n);
    }
    if (wrong.length > 0)
      throw new RestoreCheckFailed(
        `${opts.to}: ${wrong.join(', ')} differ from the restored data after the load`,
      );
    ctx.io.out(
      `${opts.to}: ${names.length} table(s) loaded and checked; the replicas receive them by replication`,
    );
  } finally {
    await primary.close().catch(() => undefined);
  }
}
