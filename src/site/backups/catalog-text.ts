/**
 * `backup list` for people and for scripts: each backup host's dumps, newest
 * first, with their time, size, position and verification, and its binary
 * log archive. Pure.
 */
import { hostBlocks, type FolderAnswer } from '../../report/host-blocks';
import { isoSeconds, type Catalog, type DumpRow } from './catalog';

/** One backup host's catalog as read, or why it could not be. */
export type CatalogAnswer = FolderAnswer<{ catalog: Catalog; copyHost?: string }>;

/** A size in bytes for people (KiB, MiB, GiB). */
export function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${n.toFixed(1)} ${units[u]}`;
}

/** Whether a dump restores, in a word, with why not. */
export function verdictOf(d: DumpRow): string {
  if (d.file === 'missing') return 'MISSING (its file is gone)';
  if (d.file === 'size differs') return 'DAMAGED (its file is not the size recorded)';
  if (!d.verification) return 'not verified yet';
  if (d.verification.result === 'failed')
    return `FAILED verification ${isoSeconds(d.verification.time)}: ${d.verification.detail}`;
  return `verified ${isoSeconds(d.verification.time)}`;
}

export function catalogText(answers: readonly CatalogAnswer[]): string[] {
  return hostBlocks(answers, (a) => {
    const lines: string[] = [];
    const { dumps, binlogs } = a.catalog;
    if (dumps.length === 0) lines.push('  no dumps');
    for (const d of [...dumps].reverse())
      lines.push(
        `  ${d.id}  ${isoSeconds(d.time)}  ${humanSize(d.size).padStart(9)}  ${d.source}${d.encrypted ? ' encrypted' : ''}  ${verdictOf(d)}`,
        `      position ${d.position || '(none)'}, binary log ${d.binlog || '(none)'}, ${d.tableCount} table${d.tableCount === 1 ? '' : 's'}`,
      );
    const total = binlogs.files.reduce((n, f) => n + f.size, 0);
    lines.push(
      binlogs.files.length === 0
        ? '  binary logs: none archived'
        : `  binary logs: ${binlogs.files.length} archived (${humanSize(total)}), ${binlogs.files[0]!.name} to ${binlogs.files[binlogs.files.length - 1]!.name}${binlogs.archivedAt ? `; the archive reaches ${isoSeconds(binlogs.archivedAt)}` : ''}`,
    );
    const copied = a.catalog.copied;
    if (a.copyHost)
      lines.push(
        copied
          ? `  copy on ${a.copyHost}: ${isoSeconds(copied.at)}, dumps up to ${copied.dump || '(none)'} and the binary logs`
          : `  copy on ${a.copyHost}: none yet`,
      );
    return lines;
  });
}

export function catalogJson(a: CatalogAnswer): object {
  if (!a.ok) return { host: a.host, dir: a.dir, error: a.error };
  return {
    host: a.host,
    dir: a.dir,
    dumps: [...a.catalog.dumps].reverse().map((d) => ({
      id: d.id,
      time: isoSeconds(d.time),
      size: d.size,
      file: d.file,
      source: d.source,
      server: d.server,
      encrypted: d.encrypted,
      position: d.position,
      binlog: d.binlog,
      tables: d.tables,
      verified: d.file === 'present' && d.verification?.result === 'ok',
      ...(d.verification
        ? {
            verification: {
              result: d.verification.result,
              time: isoSeconds(d.verification.time),
              detail: d.verification.detail,
            },
          }
        : {}),
    })),
    binlogs: {
      files: a.catalog.binlogs.files,
      ...(a.catalog.binlogs.archivedAt
        ? { archivedAt: isoSeconds(a.catalog.binlogs.archivedAt) }
        : {}),
    },
    ...(a.copyHost
      ? {
          copy: {
            host: a.copyHost,
            ...(a.catalog.copied
              ? { at: isoSeconds(a.catalog.copied.at), dump: a.catalog.copied.dump }
              : {}),
          },
        }
      : {}),
  };
}
