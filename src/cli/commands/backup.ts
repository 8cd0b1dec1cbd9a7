/**
 * `backup list` and `backup restore`: the database backups the site playbook
 * sets up on the backup hosts (src/site/backups), read and restored over SSH.
 */
import { UsageError } from '../../core/errors';
import { quote } from '../../core/shell';
import type { HostDriver } from '../../engine/host-driver';
import { runPool } from '../../engine/pool';
import { resolveSecrets } from '../../engine/secrets';
import { sessionOpener } from '../../engine/sessions';
import type { Host } from '../../inventory/model';
import { selectHosts } from '../../inventory/patterns';
import { FactView } from '../../modules/fact-view';
import {
  BINLOG_RECORDS,
  DUMP_RECORDS,
  binlogsDir,
  dumpsDir,
  readCatalog,
  type Catalog,
} from '../../site/backups/catalog';
import { catalogJson, catalogText, type CatalogAnswer } from '../../site/backups/catalog-text';
import { chooseRestore, restoreCommand, type RestorePoint } from '../../site/backups/restore-plan';
import { backupHosts } from '../../site/roles';
import { requireSiteProject } from '../site-project';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';
import { vaultStore, type VaultPasswordOptions } from '../vault-password';

interface BackupOptions extends VaultPasswordOptions {
  inventory: string;
  playbook: string;
  acceptNew?: boolean;
}

export interface BackupListOptions extends BackupOptions {
  limit?: string;
  format: 'text' | 'json';
}

export interface BackupRestoreOptions extends BackupOptions {
  at?: string;
  latest?: boolean;
  from?: string;
  /** Seconds a restore may take on the host. */
  timeout: string;
}

/** Reading a catalog is two short listings. */
const READ_TIMEOUT_MS = 15_000;

async function setup(opts: BackupOptions, io: Io, pattern?: string) {
  const project = requireSiteProject(opts.inventory, opts.playbook);
  const inventory = project.inventory;
  let hosts = backupHosts(inventory);
  if (hosts.length === 0)
    throw new UsageError(
      `no host of ${opts.inventory} takes backups: backups is false, or there is no replica and no backup_host`,
    );
  if (pattern !== undefined) {
    const { hosts: chosen, unmatched } = selectHosts(inventory, pattern);
    if (unmatched.length > 0) throw new UsageError(`no host matches ${unmatched.join(', ')}`);
    const names = new Set(chosen);
    hosts = hosts.filter((h) => names.has(h.name));
    if (hosts.length === 0)
      throw new UsageError(
        `${pattern} names no backup host (they are: ${backupHosts(inventory)
          .map((h) => h.name)
          .join(', ')})`,
      );
  }
  const names = hosts.map((h) => h.name);
  const secret = await resolveSecrets(project, names, io.redactor, vaultStore(opts, io));
  return { project, hosts, secret };
}

async function readHostCatalog(driver: HostDriver, host: Host): Promise<Catalog> {
  const dumps = { kind: 'listing' as const, dir: dumpsDir(host), read: DUMP_RECORDS };
  const binlogs = { kind: 'listing' as const, dir: binlogsDir(host), read: BINLOG_RECORDS };
  const { facts } = await driver.gather([dumps, binlogs]);
  const view = new FactView(facts);
  return readCatalog(view.listing(dumps.dir, dumps.read), view.listing(binlogs.dir, binlogs.read));
}

/**
 * `backup list`: each backup host's dumps (time, size, position, verified or
 * not) and its binary log archive. Read-only. Exit 0 when every host
 * answered, 4 otherwise.
 */
export async function runBackupList(opts: BackupListOptions, io: Io): Promise<number> {
  const { project, hosts, secret } = await setup(opts, io, opts.limit);
  const open = sessionOpener(project.inventory, secret, {
    acceptNew: opts.acceptNew ?? false,
    commandTimeoutMs: READ_TIMEOUT_MS,
  });
  const answers = new Map<string, CatalogAnswer>();
  await runPool(hosts, 20, async (host) => {
    const dir = String(host.vars.backup_dir);
    let driver: HostDriver | undefined;
    try {
      driver = await open(host.name);
      answers.set(host.name, {
        host: host.name,
        dir,
        ok: true,
        catalog: await readHostCatalog(driver, host),
      });
    } catch (error) {
      answers.set(host.name, { host: host.name, dir, ok: false, error: (error as Error).message });
    } finally {
      await driver?.close().catch(() => undefined);
    }
  });
  const all = hosts.map((h) => answers.get(h.name)!);
  if (opts.format === 'json') io.out(JSON.stringify(all.map(catalogJson), null, 2));
  else for (const line of catalogText(all)) io.out(line);
  return all.every((a) => a.ok) ? ExitCode.OK : ExitCode.HOST_UNREACHABLE;
}

/** `--at` as a time: ISO 8601; without a zone, the controller's local time. */
function parseAt(text: string): Date {
  const at = new Date(text);
  if (Number.isNaN(at.getTime()))
    throw new UsageError(`--at ${JSON.stringify(text)}: not a time (e.g. 2026-12-05T07:00:00Z)`);
  return at;
}

/**
 * `backup restore`: a dump, then the archived binary logs up to a time (or
 * to their end with --latest), into a scratch server on the backup host,
 * left running for the operator to read from; the live servers are not
 * touched. The binary logs are archived first, so that the restore reaches
 * the moment asked for.
 */
export async function runBackupRestore(opts: BackupRestoreOptions, io: Io): Promise<number> {
  if ((opts.at === undefined) === (opts.latest !== true))
    throw new UsageError('give one of --at TIME or --latest');
  const point: RestorePoint = opts.latest ? { latest: true } : { at: parseAt(opts.at!) };
  if (!opts.latest && point.at!.getTime() > Date.now())
    throw new UsageError(`--at ${opts.at}: that time has not come yet`);
  const timeout = Number(opts.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new UsageError(`--timeout takes a number of seconds, got ${opts.timeout}`);
  const { project, hosts, secret } = await setup(opts, io, opts.from);
  const host = hosts[0]!;
  const open = sessionOpener(project.inventory, secret, {
    acceptNew: opts.acceptNew ?? false,
    commandTimeoutMs: timeout * 1000,
  });
  const driver = await open(host.name);
  try {
    const user = quote(String(host.vars.backup_user));
    const program = `runuser -u ${user} -- /usr/local/sbin/foobar-mysql-backup`;
    // The newest binary logs first: a restore reaches as far as they go.
    try {
      await driver.capture(`cd / && ${program} binlogs`);
    } catch (error) {
      io.err(
        `warning: ${host.name}: the binary logs could not be archived now: ${(error as Error).message}`,
      );
    }
    const catalog = await readHostCatalog(driver, host);
    const choice = chooseRestore(catalog, point);
    io.err(`${host.name}: ${choice.summary}`);
    const out = await driver.capture(`cd / && ${program} ${restoreCommand(choice)}`);
    for (const line of out.toString('utf8').split('\n').filter(Boolean)) io.out(line);
    return ExitCode.OK;
  } finally {
    await driver.close().catch(() => undefined);
  }
}
