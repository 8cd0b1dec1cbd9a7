/**
 * Whether a replica can become the primary, from what it says about itself.
 * Pure: replica status and GTID positions in, a verdict out.
 */
import { gtidMinus } from '../../modules/gtid';
import { sqlString, type ReplicaStatus } from '../../mysql';

export type Promotable =
  | {
      ok: true;
      /** It already is a primary (an earlier promote got that far): only the rest is left. */
      already?: boolean;
      /**
       * Transactions received but not applied yet: the replica waits until it
       * has applied them (up to a time limit) before it is promoted.
       */
      waitFor?: { kind: 'mysql-gtid-set' | 'mariadb-gtid-pos'; position: string };
    }
  | { ok: false; reason: string };

/** Seconds behind its source beyond which a replica whose source still answers is "lagging". */
export const PROMOTE_MAX_LAG_SECONDS = 30;

export function checkPromotable(
  host: string,
  flavor: 'mysql' | 'mariadb',
  status: ReplicaStatus | undefined,
  /** MariaDB: @@gtid_slave_pos, what the SQL thread has applied. */
  appliedPos?: string,
  /** @@GLOBAL.read_only is off. */
  writable = false,
): Promotable {
  if (!status && writable) return { ok: true, already: true };
  if (!status) return { ok: false, reason: `${host} is not a replica: replication is not set up` };
  if (status.lastSqlErrno !== 0)
    return {
      ok: false,
      reason: `replication on ${host} is broken: the SQL thread stopped on error ${status.lastSqlErrno} (${status.lastSqlError})`,
    };
  if (status.sqlRunning !== 'Yes')
    return {
      ok: false,
      reason: `the SQL thread of ${host} is not running: it would not apply what it received (a dump being taken there holds it still until it ends: systemctl status 'foobar-mysql-backup@run')`,
    };
  if (status.ioRunning === 'Yes' && (status.secondsBehind ?? 0) > PROMOTE_MAX_LAG_SECONDS)
    return {
      ok: false,
      reason: `${host} is ${status.secondsBehind} s behind its source`,
    };
  if (flavor === 'mysql') {
    const pending = gtidMinus(status.retrievedGtidSet ?? '', status.executedGtidSet ?? '');
    return pending === ''
      ? { ok: true }
      : { ok: true, waitFor: { kind: 'mysql-gtid-set', position: status.retrievedGtidSet ?? '' } };
  }
  const received = status.gtidIoPos ?? '';
  return received === '' || received === (appliedPos ?? '')
    ? { ok: true }
    : { ok: true, waitFor: { kind: 'mariadb-gtid-pos', position: received } };
}

/** One query that waits up to `seconds` for the position and prints 0 when it was reached. */
export function waitQuery(
  waitFor: NonNullable<Extract<Promotable, { ok: true }>['waitFor']>,
  seconds: number,
): string {
  const position = sqlString(waitFor.position.replace(/\s+/g, ''));
  return waitFor.kind === 'mysql-gtid-set'
    ? `SELECT WAIT_FOR_EXECUTED_GTID_SET(${position}, ${seconds})`
    : `SELECT MASTER_GTID_WAIT(${position}, ${seconds})`;
}
