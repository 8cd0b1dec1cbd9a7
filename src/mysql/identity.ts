import { MysqlOutputError, parseBatch } from './client-output';
import { atLeast, parseServerVersion, type Flavor, type ServerVersion } from './version';

/** The query that tells which server this is: read it with parseVersionOutput. */
export const VERSION_QUERY = 'SELECT VERSION(), @@GLOBAL.version_comment';

/** `mysql --batch --skip-column-names -e VERSION_QUERY` output → the server's version. */
export function parseVersionOutput(output: string): ServerVersion {
  const [row] = parseBatch(output);
  return parseServerVersion(row?.[0] ?? '', row?.[1] ?? '');
}

interface CommonIdentity {
  serverId: number;
  hostname: string;
  readOnly: boolean;
  logBin: boolean;
}

export interface MysqlIdentity extends CommonIdentity {
  flavor: 'mysql';
  /** The server's own GTID source id (`auto.cnf`): it tells two servers apart even with equal server_id. */
  serverUuid: string;
  superReadOnly: boolean;
  gtidMode: string;
  enforceGtidConsistency: string;
  /** @@gtid_executed, with the client's line breaks removed. */
  gtidExecuted: string;
}

/**
 * MariaDB has no server_uuid: its GTIDs are `domain-server_id-sequence`, so the
 * server_id (with the gtid_domain_id it writes in) is the identity replication
 * itself goes by, and two servers with equal server_id are the error to catch.
 * The hostname is read on both flavours for messages.
 */
export interface MariadbIdentity extends CommonIdentity {
  flavor: 'mariadb';
  gtidDomainId: number;
  gtidStrictMode: boolean;
  gtidBinlogPos: string;
  gtidSlavePos: string;
  gtidCurrentPos: string;
  /** The last GTID of every (domain, server) in the binary log: whose writes it holds. */
  gtidBinlogState: string;
}

export type ServerIdentity = MysqlIdentity | MariadbIdentity;

/** The columns of the identity query, in order: one list drives both the query and the parser. */
const MYSQL_COLUMNS = [
  '@@GLOBAL.server_id',
  '@@GLOBAL.server_uuid',
  '@@hostname',
  '@@GLOBAL.read_only',
  '@@GLOBAL.super_read_only',
  '@@GLOBAL.log_bin',
  '@@GLOBAL.gtid_mode',
  '@@GLOBAL.enforce_gtid_consistency',
  '@@GLOBAL.gtid_executed',
];

const MARIADB_COLUMNS = [
  '@@GLOBAL.server_id',
  '@@GLOBAL.gtid_domain_id',
  '@@hostname',
  '@@GLOBAL.read_only',
  '@@GLOBAL.log_bin',
  '@@GLOBAL.gtid_strict_mode',
  '@@GLOBAL.gtid_binlog_pos',
  '@@GLOBAL.gtid_slave_pos',
  '@@GLOBAL.gtid_current_pos',
  '@@GLOBAL.gtid_binlog_state',
];

/** One query, one row: read it with `mysql --batch --skip-column-names` and parseIdentity. */
export function identityQuery(v: ServerVersion): string {
  const columns =
    v.flavor === 'mariadb'
      ? MARIADB_COLUMNS
      : // super_read_only arrived in MySQL 5.7.8: before, it reads as off.
        MYSQL_COLUMNS.map((c) =>
          c === '@@GLOBAL.super_read_only' && !atLeast(v, 5, 7, 8) ? '0' : c,
        );
  return `SELECT ${columns.join(', ')}`;
}

/** A GTID set or position as one line: the server breaks long sets after each comma. */
export function normalizeGtidSet(value: string): string {
  return value.replace(/\s+/g, '');
}

function flag(value: string | null | undefined): boolean {
  return value === '1' || value?.toUpperCase() === 'ON';
}

function integer(value: string | null | undefined, what: string): number {
  const n = Number(value);
  if (value === null || value === undefined || value === '' || !Number.isInteger(n)) {
    throw new MysqlOutputError(`identity query: ${what} is not a number: ${JSON.stringify(value)}`);
  }
  return n;
}

/** The identity query's output (batch, no column names) → who the server is. */
export function parseIdentity(flavor: Flavor, output: string): ServerIdentity {
  const rows = parseBatch(output);
  const row = rows[0];
  const expected = (flavor === 'mariadb' ? MARIADB_COLUMNS : MYSQL_COLUMNS).length;
  if (rows.length !== 1 || !row || row.length !== expected) {
    throw new MysqlOutputError(
      `identity query: expected one row of ${expected} columns, got ${JSON.stringify(output)}`,
    );
  }
  const text = (i: number) => row[i] ?? '';
  if (flavor === 'mariadb') {
    return {
      flavor,
      serverId: integer(row[0], 'server_id'),
      gtidDomainId: integer(row[1], 'gtid_domain_id'),
      hostname: text(2),
      readOnly: flag(row[3]),
      logBin: flag(row[4]),
      gtidStrictMode: flag(row[5]),
      gtidBinlogPos: normalizeGtidSet(text(6)),
      gtidSlavePos: normalizeGtidSet(text(7)),
      gtidCurrentPos: normalizeGtidSet(text(8)),
      gtidBinlogState: normalizeGtidSet(text(9)),
    };
  }
  return {
    flavor,
    serverId: integer(row[0], 'server_id'),
    serverUuid: text(1),
    hostname: text(2),
    readOnly: flag(row[3]),
    superReadOnly: flag(row[4]),
    logBin: flag(row[5]),
    gtidMode: text(6),
    enforceGtidConsistency: text(7),
    gtidExecuted: normalizeGtidSet(text(8)),
  };
}
