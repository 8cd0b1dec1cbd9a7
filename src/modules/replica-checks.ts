import type { MysqlIdentity, ReplicaStatus, ServerIdentity } from '../mysql';
import { gtidMinus, parseGtidSet } from './gtid';
import { PlanError } from './plan-error';

/**
 * The checks a replica and its source must pass before replication is set up
 * or trusted, each refusal naming its fix.
 */

const sameServerId = (id: number, source: string) =>
  new PlanError(
    `the replica and its source ${source} have the same server_id ${id}: give each a unique server_id in the inventory`,
  );

const sameUuid = (uuid: string, source: string) =>
  new PlanError(
    `the replica and its source ${source} have the same server UUID ${uuid} (a cloned machine?): on the replica, stop mysqld, remove /var/lib/mysql/auto.cnf and start it again to get a new UUID`,
  );

/** MySQL's auto-position needs GTID on, on both sides. */
export function checkGtidOn(id: ServerIdentity, who: string): void {
  if (id.flavor !== 'mysql') return;
  if (id.gtidMode !== 'ON' || id.enforceGtidConsistency !== 'ON') {
    throw new PlanError(
      `GTID is off on ${who} (gtid_mode=${id.gtidMode}, enforce_gtid_consistency=${id.enforceGtidConsistency}): auto-position needs both ON in my.cnf`,
    );
  }
}

/**
 * Applier errors a restart can get past: a lock wait timeout or a deadlock
 * that outlasted the replica's own retries (replica_transaction_retries).
 */
const TRANSIENT_SQL_ERRORS = new Set([1205, 1213]);

/**
 * A replica whose SQL thread stopped on an error holds data that differs from
 * its source's (a row missing or already there, a table gone): restarting it,
 * or pointing it elsewhere, applies the same transaction again. That needs a
 * person, so it is refused, naming the error and, when the server names it,
 * the transaction.
 */
export function checkApplier(status: ReplicaStatus | undefined): void {
  if (!status || status.sqlRunning === 'Yes' || status.lastSqlErrno === 0) return;
  if (TRANSIENT_SQL_ERRORS.has(status.lastSqlErrno)) return;
  const gtid = /transaction '([^']+)'/.exec(status.lastSqlError)?.[1];
  throw new PlanError(
    `replication from ${status.sourceHost} stopped on error ${status.lastSqlErrno}${gtid ? ` in transaction ${gtid}` : ''}: ${status.lastSqlError}. This replica's data differs from its source's and a restart would apply the same transaction again. Find the failing statement (performance_schema.replication_applier_status_by_worker on MySQL, the error log on MariaDB), then repair the row by hand or rebuild this replica from its source.`,
  );
}

/** The replica's own identity against its source's, as the source itself reports it. */
export function checkIdentities(
  mine: ServerIdentity,
  theirs: ServerIdentity,
  source: string,
): void {
  if (mine.serverId === theirs.serverId) throw sameServerId(mine.serverId, source);
  if (mine.flavor === 'mysql' && theirs.flavor === 'mysql') {
    if (mine.serverUuid === theirs.serverUuid) throw sameUuid(mine.serverUuid, source);
    checkGtidOn(mine, 'this replica');
    checkGtidOn(theirs, `the source ${source}`);
    const errant = gtidMinus(mine.gtidExecuted, theirs.gtidExecuted);
    if (errant) {
      throw new PlanError(
        `this replica executed transactions its source never had (errant GTIDs ${errant}): its data diverges; rebuild it from the source`,
      );
    }
  }
  if (mine.flavor === 'mariadb' && theirs.flavor === 'mariadb') {
    // Writes of this server's own are fine only where the source holds them too
    // (a former primary whose writes were replicated before it was replaced):
    // the source's binary log state must reach each of them.
    const theirsLast = lastPerServer(theirs.gtidBinlogState);
    const own = [...ownMariadbGtids(mine)]
      .filter(([key, seq]) => (theirsLast.get(key) ?? 0) < seq)
      .map(([key, seq]) => `${key}-${seq}`);
    if (own.length) {
      throw new PlanError(
        `this replica wrote transactions of its own (GTID ${own.join(',')}): its data diverges from the source; rebuild it from the source`,
      );
    }
  }
}

/**
 * The replica's identity against the source its running channel connected
 * to, from its own replica status (Source_Server_Id, Source_UUID): the same
 * refusals as `checkIdentities`, without logging in to the source.
 */
export function checkChannel(mine: ServerIdentity, status: ReplicaStatus, source: string): void {
  const serverId = status.fields.Source_Server_Id ?? status.fields.Master_Server_Id;
  if (serverId && Number(serverId) === mine.serverId) throw sameServerId(mine.serverId, source);
  const uuid = status.fields.Source_UUID ?? status.fields.Master_UUID;
  if (mine.flavor === 'mysql' && uuid && uuid.toLowerCase() === mine.serverUuid.toLowerCase())
    throw sameUuid(mine.serverUuid, source);
}

/**
 * True when the replica's own state cannot rule out errant transactions, so
 * that its source must be asked. MySQL: when the channel connects, the source
 * refuses a replica holding transactions under the source's own UUID that it
 * lacks, and what the channel brings afterwards comes from the source; so
 * only GTIDs under any other UUID (the replica's own writes, or a former
 * source's) leave a doubt. MariaDB: the source refuses, when the channel
 * connects, a GTID position it does not have in its binary log; so only the
 * replica's own writes (its own server_id) leave a doubt.
 */
export function mayHoldErrant(mine: ServerIdentity, status: ReplicaStatus): boolean {
  if (mine.flavor === 'mysql') {
    const source = (status.fields.Source_UUID ?? status.fields.Master_UUID ?? '').toLowerCase();
    if (source === '') return true;
    const uuids = parseGtidSet((mine as MysqlIdentity).gtidExecuted).keys();
    return [...uuids].some((uuid) => uuid !== source);
  }
  return ownMariadbGtids(mine).size > 0;
}

/** A MariaDB GTID position or state → the last sequence per `domain-server`. */
function lastPerServer(state: string): Map<string, number> {
  return new Map(
    state
      .split(',')
      .filter(Boolean)
      .map((g) => g.split('-'))
      .map(([domain, server, seq]) => [`${domain}-${server}`, Number(seq)]),
  );
}

function ownMariadbGtids(mine: ServerIdentity): Map<string, number> {
  if (mine.flavor !== 'mariadb') return new Map();
  const all = lastPerServer(mine.gtidBinlogState || mine.gtidBinlogPos);
  return new Map([...all].filter(([key]) => key.split('-')[1] === String(mine.serverId)));
}

/** A new replica: no replication and no transaction history. */
export function hasNoHistory(id: ServerIdentity): boolean {
  return id.flavor === 'mysql'
    ? id.gtidExecuted.trim() === ''
    : id.gtidSlavePos.trim() === '' && id.gtidBinlogPos.trim() === '';
}

/** TLS as asked: on, and checked against the CA when one is given; else what is missing. */
export function tlsGapOf(
  tls: boolean,
  ca: string | undefined,
  status: ReplicaStatus | undefined,
): string | undefined {
  if (!tls) return undefined;
  if (status?.sslAllowed !== true) return 'replication is not over TLS';
  if (ca !== undefined && (status.sslCaFile !== ca || status.sslVerifyServerCert !== true))
    return `the source's certificate is not checked against ${ca}`;
  return undefined;
}
