/**
 * `backup list`, and what `backup restore` shares with it: the database
 * backups the site playbook sets up on the backup hosts (src/site/backups),
 * read over SSH.
 */
import { UsageError } from '../../core/errors';
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
import { backupHosts } from '../../site/roles';
import { requireSiteProject } from '../site-project';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';
import { vaultStore, type VaultPasswordOptions } from '../vault-password';

export interface BackupOptions extends VaultPasswordOptions {
  inventory: string;
  playbook: string;
  acceptNew?: boolean;
}

export interface BackupListOptions extends BackupOptions {
  limit?: string;
  format: 'text' | 'json';
}

/** Reading a catalog is two short listings. */
const READ_TIMEOUT_MS = 15_000;

/** The backup hosts (of `pattern`), with the secrets of those and of `also` (e.g. a restore's primary). */
export async function setup(opts: BackupOptions, io: Io, pattern?: string, also?: string) {
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
  if (also !== undefined && inventory.hosts.has(also) && !names.includes(also)) names.push(also);
  const secret = await resolveSecrets(project, names, io.redactor, vaultStore(opts, io));
  return { project, hosts, secret };
}

export async function readHostCatalog(driver: HostDriver, host: Host): Promise<Catalog> {
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
        ...(host.vars.backup_copy_host !== undefined
          ? { copyHost: String(host.vars.backup_copy_host) }
          : {}),
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
