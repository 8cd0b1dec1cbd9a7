/**
 * Which dump a restore starts from, and how far the binary logs are replayed
 * after it. Pure: the backup host's catalog and the point asked for in, the
 * restore's arguments out, or why it cannot be done.
 */
import { UsageError } from '../../core/errors';
import { quote } from '../../core/shell';
import { isGood, type Catalog, type DumpRow, isoSeconds } from './catalog';

/** A point in time, or as far as the archived binary logs go. */
export type RestorePoint = { at: Date; latest?: undefined } | { latest: true; at?: undefined };

export interface RestoreChoice {
  dump: DumpRow;
  /** Replay the binary logs up to this UTC time ("YYYY-MM-DD HH:MM:SS"), to their end, or not at all. */
  stop: string | 'end' | undefined;
  /** One line for the operator: what is restored, to when. */
  summary: string;
}

/** The form mysqlbinlog's --stop-datetime reads (the backup program runs in UTC). */
const binlogTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/** The archived binary logs from the dump's own on (the one it was taken in, and later ones). */
function logsFrom(catalog: Catalog, dump: DumpRow): string[] {
  return catalog.binlogs.files.map((f) => f.name).filter((n) => n >= dump.binlog);
}

export function chooseRestore(catalog: Catalog, point: RestorePoint): RestoreChoice {
  const good = catalog.dumps.filter(isGood);
  if (good.length === 0)
    throw new UsageError(
      catalog.dumps.length === 0
        ? 'there is no dump on the backup host yet'
        : 'no dump on the backup host is verified (see backup list): none is trusted to restore',
    );
  if (point.latest) {
    const dump = good[good.length - 1]!;
    const logs = logsFrom(catalog, dump);
    // Later logs without the dump's own: the transactions in between are lost.
    if (logs.length > 0 && !logs.includes(dump.binlog))
      throw new UsageError(
        `the binary log ${dump.binlog || '(unknown)'} that follows the dump ${dump.id} is not archived, but later ones are: a restore would skip what it held`,
      );
    if (logs.length === 0)
      return {
        dump,
        stop: undefined,
        summary: `the dump ${dump.id} of ${isoSeconds(dump.time)} alone: no binary log from ${dump.binlog || 'it'} on is archived`,
      };
    return {
      dump,
      stop: 'end',
      summary: `the dump ${dump.id} of ${isoSeconds(dump.time)}, then the binary logs to the last archived (${logs[logs.length - 1]!})`,
    };
  }
  const at = point.at.getTime() / 1000;
  const before = good.filter((d) => d.time <= at);
  if (before.length === 0)
    throw new UsageError(
      `the oldest verified dump is of ${isoSeconds(good[0]!.time)}: ${point.at.toISOString()} is earlier`,
    );
  const dump = before[before.length - 1]!;
  const logs = logsFrom(catalog, dump);
  if (!dump.binlog || !logs.includes(dump.binlog))
    throw new UsageError(
      `the binary log ${dump.binlog || '(unknown)'} that follows the dump ${dump.id} is not archived: the restore could not reach ${point.at.toISOString()}`,
    );
  const archivedAt = catalog.binlogs.archivedAt ?? 0;
  if (archivedAt < at)
    throw new UsageError(
      `the binary logs are archived up to ${archivedAt ? isoSeconds(archivedAt) : 'never'} only: ${point.at.toISOString()} is later (is the database server up?)`,
    );
  return {
    dump,
    stop: binlogTime(point.at),
    summary: `the dump ${dump.id} of ${isoSeconds(dump.time)}, then the binary logs up to ${point.at.toISOString()}`,
  };
}

/** The backup program's arguments for the choice. */
export function restoreCommand(choice: RestoreChoice): string {
  return ['restore', choice.dump.id, choice.stop ?? ''].map(quote).join(' ');
}
