import type { ChangeSourceOptions, Dialect, UserOptions } from './dialect-types';
import { identityQuery } from './identity';
import { withSecret } from './secret-sql';
import { sqlAccount, sqlString } from './sql-string';
import {
  tlsOptions,
  checkReplicationCredentials,
  createDatabaseStatement,
  grantStatement,
  sqlPort,
} from './statements';
import { atLeast, type ServerVersion } from './version';

/**
 * MariaDB statements by version. From the knowledge base:
 * - 10.5.1: START/STOP REPLICA, RESET REPLICA, SHOW REPLICA STATUS, and the
 *   REPLICATION REPLICA privilege as another name of REPLICATION SLAVE.
 * - 10.5.2: SHOW BINLOG STATUS (SHOW MASTER STATUS stays as an alias).
 * CHANGE MASTER TO keeps its MASTER_* options in every release; GTID
 * positioning is MASTER_USE_GTID=slave_pos (MariaDB has no AUTO_POSITION).
 * The replica's connecting user needs REPLICATION SLAVE only, as on MySQL:
 * the lab's MariaDB 10.11 pair replicates with nothing more
 * (test/fixtures/mysql/mariadb-10.11-statements.json).
 */
export function mariadbDialect(v: ServerVersion): Dialect {
  const replicaWords = atLeast(v, 10, 5, 1);

  return {
    version: v,

    changeSource(o: ChangeSourceOptions) {
      checkReplicationCredentials('MariaDB', o, 96);
      const tls = tlsOptions(o.tls, (name) => `MASTER_${name}`);
      return withSecret(o.password, (password) =>
        [
          `CHANGE MASTER TO MASTER_HOST=${sqlString(o.host)}`,
          `MASTER_PORT=${sqlPort(o.port ?? 3306)}`,
          `MASTER_USER=${sqlString(o.user)}`,
          `MASTER_PASSWORD=${password}`,
          'MASTER_USE_GTID=slave_pos',
          ...tls,
        ].join(', '),
      );
    },

    startReplica: () => (replicaWords ? 'START REPLICA' : 'START SLAVE'),
    stopReplica: () => (replicaWords ? 'STOP REPLICA' : 'STOP SLAVE'),
    resetReplicaAll: () => (replicaWords ? 'RESET REPLICA ALL' : 'RESET SLAVE ALL'),
    showReplicaStatus: () => (replicaWords ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS'),
    showBinaryLogStatus: () => (atLeast(v, 10, 5, 2) ? 'SHOW BINLOG STATUS' : 'SHOW MASTER STATUS'),

    // MariaDB has no super_read_only: read_only alone. Accounts with the READ_ONLY
    // ADMIN privilege (a part of SUPER in older releases) can still write.
    readOnly: (on: boolean) => [`SET GLOBAL read_only=${on ? 'ON' : 'OFF'}`],

    createUser(o: UserOptions) {
      const ssl = o.requireSsl ? ' REQUIRE SSL' : '';
      return withSecret(
        o.password,
        (password) =>
          `CREATE USER IF NOT EXISTS ${sqlAccount(o.user, o.host)} IDENTIFIED BY ${password}${ssl}`,
      );
    },

    alterUserPassword(o: UserOptions) {
      const ssl = o.requireSsl === undefined ? '' : o.requireSsl ? ' REQUIRE SSL' : ' REQUIRE NONE';
      return withSecret(
        o.password,
        (password) => `ALTER USER ${sqlAccount(o.user, o.host)} IDENTIFIED BY ${password}${ssl}`,
      );
    },

    socketUser: (user, host, create) => [
      `${create ? 'CREATE USER IF NOT EXISTS' : 'ALTER USER'} ${sqlAccount(user, host)} IDENTIFIED VIA unix_socket`,
    ],
    socketPlugin: 'unix_socket',

    grantReplication: (user, host) => grantStatement(['REPLICATION SLAVE'], undefined, user, host),
    grantAllOnDatabase: (database, user, host) =>
      grantStatement(['ALL PRIVILEGES'], database, user, host),
    createDatabase: createDatabaseStatement,
    identityQuery: () => identityQuery(v),
  };
}
