/**
 * A backup host's catalog, read from the files the backup program
 * (playbooks/files/mysql-backup/foobar-mysql-backup) writes: each dump's
 * `ID.meta` (when, from where, its GTID position, SHA-256 and each table's
 * rows and CHECKSUM TABLE), its `ID.verify` (the last restore check), and the
 * archived binary logs. Pure: listings in, rows out.
 */
import type { ListingFact } from '../../facts/types';
import type { Host } from '../../inventory/model';

/** The records the backup program writes, read whole by the listing fact. */
export const DUMP_RECORDS = ['.meta', '.verify'];
export const BINLOG_RECORDS = ['.archived', '.copied'];

export const dumpsDir = (host: Host) => `${String(host.vars.backup_dir)}/dumps`;
export const binlogsDir = (host: Host) => `${String(host.vars.backup_dir)}/binlogs`;

export interface TableFigures {
  name: string;
  rows: number;
  checksum: string;
}

export interface Verification {
  result: 'ok' | 'failed';
  /** Seconds since the epoch. */
  time: number;
  detail: string;
}

export interface DumpRow {
  id: string;
  /** When its position was taken (seconds since the epoch). */
  time: number;
  /** The dump file's size as recorded, and whether the file is there with that size. */
  size: number;
  file: 'present' | 'missing' | 'size differs';
  /** MySQL's GTID set, or MariaDB's gtid_current_pos, at the dump. */
  position: string;
  /** The server's binary log being written then: point-in-time recovery replays from it. */
  binlog: string;
  source: string;
  server: string;
  /** Encrypted at rest (with backup_encryption_key). */
  encrypted: boolean;
  /** How many tables it holds; `tables` may list fewer (a long record is read cut). */
  tableCount: number;
  tables: TableFigures[];
  verification?: Verification;
}

export interface BinlogArchive {
  files: { name: string; size: number }[];
  /**
   * How far the archive reaches (seconds since the epoch): when the archive
   * job last ran, less the replica's lag then.
   */
  archivedAt?: number;
}

/** The last copy to backup_copy_host that went through. */
export interface CopyRecord {
  /** When it started (seconds since the epoch): everything here then is there. */
  at: number;
  /** The newest dump it sent. */
  dump: string;
}

export interface Catalog {
  dumps: DumpRow[];
  binlogs: BinlogArchive;
  copied?: CopyRecord;
}

function copyRecord(text: string | undefined): CopyRecord | undefined {
  const m = /^(\d+) (\S*)\s*$/.exec(text ?? '');
  return m ? { at: Number(m[1]), dump: m[2]! } : undefined;
}

/** `key=value` lines; `table=` lines gathered apart. */
function records(text: string): { fields: Map<string, string>; tables: string[] } {
  const fields = new Map<string, string>();
  const tables: string[] = [];
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const key = line.slice(0, at);
    if (key === 'table') tables.push(line.slice(at + 1));
    else if (!fields.has(key)) fields.set(key, line.slice(at + 1));
  }
  return { fields, tables };
}

function figures(line: string): TableFigures {
  const [name = '', rows = '', checksum = ''] = line.split('\t');
  return { name, rows: Number(rows), checksum };
}

/** The `table=NAME<TAB>rows<TAB>checksum` lines of a record or of the program's output. */
export function tableFigures(text: string): TableFigures[] {
  return records(text).tables.map(figures);
}

/** Seconds since the epoch as an ISO time, to the second. */
export const isoSeconds = (seconds: number) =>
  new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

function verification(text: string | undefined): Verification | undefined {
  if (text === undefined) return undefined;
  const { fields } = records(text);
  const result = fields.get('result');
  return {
    result: result === 'ok' ? 'ok' : 'failed',
    time: Number(fields.get('time') ?? 0),
    detail: fields.get('detail') ?? '',
  };
}

/** The dumps (oldest first) and the binary log archive, from the two listings. */
export function readCatalog(dumps: ListingFact, binlogs: ListingFact): Catalog {
  const byName = new Map(dumps.files.map((f) => [f.name, f]));
  const rows: DumpRow[] = [];
  for (const f of dumps.files) {
    if (!f.name.endsWith('.meta') || f.text === undefined) continue;
    const id = f.name.slice(0, -'.meta'.length);
    const { fields, tables } = records(f.text);
    const size = Number(fields.get('size') ?? -1);
    const file = byName.get(fields.get('file') ?? `${id}.sql.gz`);
    const verified = verification(byName.get(`${id}.verify`)?.text);
    rows.push({
      id,
      time: Number(fields.get('time') ?? 0),
      size,
      file: !file ? 'missing' : file.size === size ? 'present' : 'size differs',
      position: fields.get('position') ?? '',
      binlog: fields.get('binlog') ?? '',
      source: fields.get('source') ?? '',
      server: fields.get('server') ?? '',
      encrypted: fields.get('encrypted') === 'yes',
      tableCount: Number(fields.get('tables') ?? tables.length),
      tables: tables.map(figures),
      ...(verified ? { verification: verified } : {}),
    });
  }
  rows.sort((a, b) => (a.id < b.id ? -1 : 1));
  const archived = binlogs.files.find((f) => f.name === '.archived')?.text;
  const copied = copyRecord(binlogs.files.find((f) => f.name === '.copied')?.text);
  return {
    ...(copied ? { copied } : {}),
    dumps: rows,
    binlogs: {
      // An encrypted copy is NAME.enc: listed by its log's name.
      files: binlogs.files
        .filter((f) => !f.name.startsWith('.'))
        .map((f) => ({ name: f.name.replace(/\.enc$/, ''), size: f.size })),
      ...(archived !== undefined && /^\d+\s*$/.test(archived)
        ? { archivedAt: Number(archived) }
        : {}),
    },
  };
}

/** A dump that restores: verified, its file there as recorded. */
export const isGood = (d: DumpRow) => d.verification?.result === 'ok' && d.file === 'present';

/** The newest good dump, if any. */
export function newestGood(catalog: Catalog): DumpRow | undefined {
  return [...catalog.dumps].reverse().find(isGood);
}

/** A systemd time span (15min, 26h, 1h 30min, 2d) in seconds. */
export function spanSeconds(span: string): number {
  const units: Record<string, number> = {
    s: 1,
    sec: 1,
    m: 60,
    min: 60,
    h: 3600,
    hr: 3600,
    d: 86_400,
    w: 604_800,
  };
  let total = 0;
  for (const m of span.matchAll(/(\d+) ?([a-z]+)/g)) total += Number(m[1]) * (units[m[2]!] ?? NaN);
  return total;
}
