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
 * MySQL statements by version. The thresholds, from the reference manuals:
 * - 8.0.22: START/STOP REPLICA, RESET REPLICA, SHOW REPLICA STATUS (the SLAVE
 *   forms are gone from 8.4 on).
 * - 8.0.23: CHANGE REPLICATION SOURCE TO with SOURCE_* options, and
 *   GET_SOURCE_PUBLIC_KEY (CHANGE MASTER TO is gone from 8.4 on).
 * - 8.0 (8.0.4, the release that made caching_sha2_password the default):
 *   GET_MASTER_PUBLIC_KEY. The 5.7 manual has no such option.
 * - 8.2.0: SHOW BINARY LOG STATUS (SHOW MASTER STATUS is gone from 8.4 on).
 * - 8.0: caching_sha2_password; 5.7 has mysql_native_password only, and 9.0
 *   removed mysql_native_password (8.4 left it disabled by default).
 */
export function mysqlDialect(v: ServerVersion): Dialect {
  const replicaWords = atLeast(v, 8, 0, 22);
  const sourceWords = atLeast(v, 8, 0, 23);
  const plugin = atLeast(v, 8, 0, 0) ? 'caching_sha2_password' : 'mysql_native_password';
  const option = (name: string) => (sourceWords ? `SOURCE_${name}` : `MASTER_${name}`);

  return {
    version: v,

    changeSource(o: ChangeSourceOptions) {
      checkReplicationCredentials('MySQL', o, 32);
      const tls = tlsOptions(o.tls, option);
      if (!o.tls) {
        // caching_sha2_password over plain TCP needs the source's RSA public key.
        if (sourceWords) tls.push('GET_SOURCE_PUBLIC_KEY=1');
        else if (atLeast(v, 8, 0, 4)) tls.push('GET_MASTER_PUBLIC_KEY=1');
      }
      const head = sourceWords ? 'CHANGE REPLICATION SOURCE TO' : 'CHANGE MASTER TO';
      return withSecret(o.password, (password) =>
        [
          `${head} ${option('HOST')}=${sqlString(o.host)}`,
          `${option('PORT')}=${sqlPort(o.port ?? 3306)}`,
          `${option('USER')}=${sqlString(o.user)}`,
          `${option('PASSWORD')}=${password}`,
          `${option('AUTO_POSITION')}=1`,
          ...tls,
        ].join(', '),
      );
    },

    startReplica: () => (replicaWords ? 'START REPLICA' : 'START SLAVE'),
    stopReplica: () => (replicaWords ? 'STOP REPLICA' : 'STOP SLAVE'),
    resetReplicaAll: () => (replicaWords ? 'RESET REPLICA ALL' : 'RESET SLAVE ALL'),
    showReplicaStatus: () => (replicaWords ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS'),
    showBinaryLogStatus: () =>
      atLeast(v, 8, 2, 0) ? 'SHOW BINARY LOG STATUS' : 'SHOW MASTER STATUS',

    readOnly(on: boolean) {
      // super_read_only (5.7.8+) also keeps SUPER / CONNECTION_ADMIN users from writing.
      // Setting it ON sets read_only ON, and read_only OFF clears it: the order says so.
      if (!atLeast(v, 5, 7, 8)) return [`SET GLOBAL read_only=${on ? 'ON' : 'OFF'}`];
      return on
        ? ['SET GLOBAL read_only=ON', 'SET GLOBAL super_read_only=ON']
        : ['SET GLOBAL super_read_only=OFF', 'SET GLOBAL read_only=OFF'];
    },

    createUser(o: UserOptions) {
      const ssl = o.requireSsl ? ' REQUIRE SSL' : '';
      return withSecret(
        o.password,
        (password) =>
          `CREATE USER IF NOT EXISTS ${sqlAccount(o.user, o.host)} IDENTIFIED WITH ${plugin} BY ${password}${ssl}`,
      );
    },

    alterUserPassword(o: UserOptions) {
      const ssl = o.requireSsl === undefined ? '' : o.requireSsl ? ' REQUIRE SSL' : ' REQUIRE NONE';
      return withSecret(
        o.password,
        (password) =>
          `ALTER USER ${sqlAccount(o.user, o.host)} IDENTIFIED WITH ${plugin} BY ${password}${ssl}`,
      );
    },

    socketUser: (user, host, create) => [
      // auth_socket is a plugin on some builds and built in on others.
      ...AUTH_SOCKET_LOADED,
      `${create ? 'CREATE USER IF NOT EXISTS' : 'ALTER USER'} ${sqlAccount(user, host)} IDENTIFIED WITH auth_socket`,
    ],
    socketPlugin: 'auth_socket',

    grantReplication: (user, host) => grantStatement(['REPLICATION SLAVE'], undefined, user, host),
    grantAllOnDatabase: (database, user, host) =>
      grantStatement(['ALL PRIVILEGES'], database, user, host),
    createDatabase: createDatabaseStatement,
    identityQuery: () => identityQuery(v),
  };
}

/** Loads MySQL's auth_socket plugin when the server has not loaded it yet (and only then). */
export const AUTH_SOCKET_LOADED: readonly string[] = [
  "SET @fb_has := (SELECT COUNT(*) FROM information_schema.plugins WHERE PLUGIN_NAME = 'auth_socket')",
  `SET @fb_sql := IF(@fb_has = 0, 'INSTALL PLUGIN auth_socket SONAME ''auth_socket.so''', 'DO 0')`,
  'PREPARE fb_stmt FROM @fb_sql',
  'EXECUTE fb_stmt',
  'DEALLOCATE PREPARE fb_stmt',
];
