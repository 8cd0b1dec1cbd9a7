/**
 * `status` on backups: what to ask a backup host (its dumps' records), and
 * what they mean: the newest verified dump's age against backup_max_age, and
 * a newest dump that failed its verification or lost its file. Pure.
 */
import type { FactRequest } from '../../facts/types';
import type { Host } from '../../inventory/model';
import type { FactView } from '../../modules/fact-view';
import {
  BINLOG_RECORDS,
  DUMP_RECORDS,
  binlogsDir,
  dumpsDir,
  isGood,
  newestGood,
  readCatalog,
  spanSeconds,
} from '../backups/catalog';
import { verdictOf } from '../backups/catalog-text';

/** The timers a backup host runs (status lists them with its services). */
export const BACKUP_TIMERS = [
  'foobar-mysql-backup.timer',
  'foobar-mysql-binlogs.timer',
  'foobar-mysql-verify.timer',
];

export interface BackupRow {
  host: string;
  /** The newest dump whose restore was verified, and its age in seconds. */
  verified?: { id: string; time: number; age: number };
  /** The newest dump, when it is not the newest verified one: why not. */
  newest?: { id: string; verdict: string };
  maxAge: number;
  /** How far the binary log archive reaches (seconds since the epoch); absent: never archived. */
  archiveReaches?: number;
  /** With backup_copy_host: that host, and when the last copy there went through. */
  copy?: { host: string; at?: number };
}

/** The job that takes a dump: on a replica, it holds the applier still meanwhile. */
export const DUMP_JOB = 'foobar-mysql-backup@run.service';

export const backupRequests = (host: Host): FactRequest[] => [
  { kind: 'listing', dir: dumpsDir(host), read: DUMP_RECORDS },
  { kind: 'listing', dir: binlogsDir(host), read: BINLOG_RECORDS },
  { kind: 'units', names: [DUMP_JOB] },
];

/**
 * How far behind now the binary log archive may reach before status says so:
 * two of its intervals and five minutes (a run may be late or slow).
 */
export const archiveSlack = (host: Host) =>
  2 * spanSeconds(String(host.vars.backup_binlog_interval)) + 300;

/** A dump is being taken now (its job is running). */
export function dumpRunning(facts: FactView): boolean {
  const unit = facts.units([DUMP_JOB]).get(DUMP_JOB);
  return unit?.activeState === 'activating' || unit?.activeState === 'active';
}

/** The host's row, and the problems it shows (each makes status degraded). */
export function readBackups(
  host: Host,
  facts: FactView,
  now: number,
): { row: BackupRow; problems: string[] } {
  const catalog = readCatalog(
    facts.listing(dumpsDir(host), DUMP_RECORDS),
    facts.listing(binlogsDir(host), BINLOG_RECORDS),
  );
  const maxAge = spanSeconds(String(host.vars.backup_max_age));
  const row: BackupRow = { host: host.name, maxAge };
  const problems: string[] = [];
  const good = newestGood(catalog);
  if (good) row.verified = { id: good.id, time: good.time, age: Math.max(0, now - good.time) };
  const newest = catalog.dumps[catalog.dumps.length - 1];
  if (newest && !isGood(newest)) {
    row.newest = { id: newest.id, verdict: verdictOf(newest) };
    // A dump still being verified is no problem yet; one that failed or lost its file is.
    if (newest.verification?.result === 'failed' || newest.file !== 'present')
      problems.push(`${host.name}: the newest backup ${newest.id} is ${verdictOf(newest)}`);
  }
  if (!row.verified) problems.push(`${host.name}: no verified backup`);
  else if (row.verified.age > maxAge)
    problems.push(
      `${host.name}: the newest verified backup is ${hours(row.verified.age)} old (backup_max_age ${String(host.vars.backup_max_age)})`,
    );
  // Point-in-time recovery reaches only as far as the archive does.
  const reaches = catalog.binlogs.archivedAt;
  if (reaches !== undefined) row.archiveReaches = reaches;
  if (reaches === undefined || now - reaches > archiveSlack(host))
    problems.push(
      `${host.name}: the binary log archive ${reaches === undefined ? 'has never run' : `reaches ${hours(now - reaches)} back only (backup_binlog_interval ${String(host.vars.backup_binlog_interval)})`}: point-in-time recovery stops there`,
    );
  copyProblems(host, catalog.copied?.at, now, row, problems);
  return { row, problems };
}

/** The copy on backup_copy_host runs after each archive: as late as the archive may be. */
function copyProblems(
  host: Host,
  at: number | undefined,
  now: number,
  row: BackupRow,
  problems: string[],
): void {
  const target = host.vars.backup_copy_host;
  if (target === undefined) return;
  row.copy = { host: String(target), ...(at !== undefined ? { at } : {}) };
  if (at === undefined)
    problems.push(`${host.name}: no copy on ${String(target)} yet (backup_copy_host)`);
  else if (now - at > archiveSlack(host))
    problems.push(
      `${host.name}: the copy on ${String(target)} is ${hours(now - at)} old (it follows each binary log archive, every ${String(host.vars.backup_binlog_interval)})`,
    );
}

const hours = (seconds: number) =>
  seconds >= 7200 ? `${Math.floor(seconds / 3600)} h` : `${Math.floor(seconds / 60)} min`;
