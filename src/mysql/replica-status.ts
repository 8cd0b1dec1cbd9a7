import { parseVertical, type Row } from './client-output';
import { normalizeGtidSet } from './identity';

/**
 * What `SHOW REPLICA STATUS\G` says, with the names of every flavour and
 * release folded into one: MySQL 8.0.22+ (Source_Host, Replica_IO_Running,
 * Seconds_Behind_Source, Auto_Position), MySQL before (Master_Host,
 * Slave_IO_Running, ...), and MariaDB, which keeps the Master_/Slave_ names
 * even for SHOW REPLICA STATUS and has Using_Gtid instead of Auto_Position.
 */
export interface ReplicaStatus {
  sourceHost: string;
  sourcePort: number;
  sourceUser: string;
  /** `Yes`, `No`, `Connecting` (or, on MariaDB, `Preparing`). */
  ioRunning: 'Yes' | 'No' | 'Connecting' | string;
  sqlRunning: 'Yes' | 'No' | string;
  /** The IO thread's state in words, e.g. `Waiting for source to send event`. */
  ioState: string;
  /** GTID positioning: MySQL Auto_Position=1, MariaDB Using_Gtid Slave_Pos or Current_Pos. */
  autoPosition: boolean;
  lastIoErrno: number;
  lastIoError: string;
  lastSqlErrno: number;
  lastSqlError: string;
  /**
   * null when a thread is stopped. Meaningful only while both run: MySQL 9.7
   * prints 0 while its IO thread is still connecting (see the io-error fixture).
   */
  secondsBehind: number | null;
  /** MySQL: the GTIDs received and applied, on one line. */
  retrievedGtidSet?: string;
  executedGtidSet?: string;
  /** MariaDB: the GTID position the IO thread has reached. */
  gtidIoPos?: string;
  /** MariaDB: Using_Gtid as written (`No`, `Slave_Pos`, `Current_Pos`). */
  usingGtid?: string;
  /**
   * Source_SSL_Allowed / Master_SSL_Allowed is `Yes`. MySQL 9.7 says Yes for a
   * channel whose TLS was never set (it then uses TLS when the source offers it),
   * No after SOURCE_SSL=0; MariaDB 10.11 says No unless MASTER_SSL=1.
   */
  sslAllowed?: boolean;
  sslCaFile?: string;
  sslVerifyServerCert?: boolean;
  /** Every field as printed, for what the fields above leave out. */
  fields: Row;
}

function pick(row: Row, ...names: string[]): string | null | undefined {
  for (const name of names) if (name in row) return row[name];
  return undefined;
}

function text(row: Row, ...names: string[]): string {
  return pick(row, ...names) ?? '';
}

function count(row: Row, ...names: string[]): number {
  const value = pick(row, ...names);
  const n = Number(value);
  return value === null || value === undefined || value === '' || Number.isNaN(n) ? 0 : n;
}

function optional(row: Row, ...names: string[]): string | undefined {
  const value = pick(row, ...names);
  return value === null || value === undefined ? undefined : value;
}

function yes(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : value === 'Yes';
}

/** The row of the default channel: MySQL calls it '' in Channel_Name, MariaDB '' in Connection_name. */
function defaultChannel(rows: Row[]): Row | undefined {
  return rows.find((r) => !pick(r, 'Channel_Name', 'Connection_name')) ?? rows[0];
}

/**
 * `mysql --vertical -e 'SHOW REPLICA STATUS'` (or SHOW SLAVE STATUS, either flavour)
 * → the replica's status; undefined when the server has never been a replica
 * (or RESET REPLICA ALL has run): it prints nothing then.
 */
export function parseReplicaStatus(output: string): ReplicaStatus | undefined {
  const row = defaultChannel(parseVertical(output));
  if (!row) return undefined;
  const behind = pick(row, 'Seconds_Behind_Source', 'Seconds_Behind_Master');
  const usingGtid = optional(row, 'Using_Gtid');
  const gtidSet = (name: string) => {
    const value = optional(row, name);
    return value === undefined ? undefined : normalizeGtidSet(value);
  };
  const verify = optional(row, 'Source_SSL_Verify_Server_Cert', 'Master_SSL_Verify_Server_Cert');
  const status: ReplicaStatus = {
    sourceHost: text(row, 'Source_Host', 'Master_Host'),
    sourcePort: count(row, 'Source_Port', 'Master_Port'),
    sourceUser: text(row, 'Source_User', 'Master_User'),
    ioRunning: text(row, 'Replica_IO_Running', 'Slave_IO_Running'),
    sqlRunning: text(row, 'Replica_SQL_Running', 'Slave_SQL_Running'),
    ioState: text(row, 'Replica_IO_State', 'Slave_IO_State'),
    autoPosition:
      pick(row, 'Auto_Position') === '1' ||
      (usingGtid !== undefined && /^(slave|current)_pos$/i.test(usingGtid)),
    lastIoErrno: count(row, 'Last_IO_Errno'),
    lastIoError: text(row, 'Last_IO_Error'),
    lastSqlErrno: count(row, 'Last_SQL_Errno'),
    lastSqlError: text(row, 'Last_SQL_Error'),
    secondsBehind: behind === null || behind === undefined || behind === '' ? null : Number(behind),
    retrievedGtidSet: gtidSet('Retrieved_Gtid_Set'),
    executedGtidSet: gtidSet('Executed_Gtid_Set'),
    gtidIoPos: gtidSet('Gtid_IO_Pos'),
    usingGtid,
    sslAllowed: yes(optional(row, 'Source_SSL_Allowed', 'Master_SSL_Allowed')),
    sslCaFile: optional(row, 'Source_SSL_CA_File', 'Master_SSL_CA_File'),
    sslVerifyServerCert: verify === undefined ? undefined : verify === 'Yes' || verify === '1',
    fields: row,
  };
  // Fields a flavour does not print are left out, not set to undefined.
  for (const [key, value] of Object.entries(status)) {
    if (value === undefined) delete (status as unknown as Record<string, unknown>)[key];
  }
  return status;
}

/** True when both replication threads run: the replica is healthy, if perhaps behind. */
export function isReplicating(status: ReplicaStatus | undefined): boolean {
  return status?.ioRunning === 'Yes' && status.sqlRunning === 'Yes';
}
