import { SqlValueError, sqlAccount, sqlIdentifier, sqlString } from './sql-string';

/** Statements that read the same on both flavours. */

/** A charset or collation name: only letters, digits and `_`, so it can stand unquoted. */
function sqlName(name: string, what: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new SqlValueError(`${what} ${JSON.stringify(name)} is not a valid name`);
  }
  return name;
}

/** `CREATE DATABASE IF NOT EXISTS `name` CHARACTER SET utf8mb4 [COLLATE ...]`. */
export function createDatabaseStatement(name: string, charset = 'utf8mb4', collation?: string) {
  const collate = collation === undefined ? '' : ` COLLATE ${sqlName(collation, 'collation')}`;
  return `CREATE DATABASE IF NOT EXISTS ${sqlIdentifier(name)} CHARACTER SET ${sqlName(charset, 'character set')}${collate}`;
}

/**
 * `GRANT <privileges> ON <db>.* TO 'user'@'host'`, on every database (`*.*`)
 * when `database` is left out, on one table of it (`<db>.<table>`) with `table`. Privileges are keywords (`SELECT`,
 * `REPLICATION SLAVE`, `ALL PRIVILEGES`), checked so that none can carry SQL.
 */
export function grantStatement(
  privileges: readonly string[],
  database: string | undefined,
  user: string,
  host: string,
  table?: string,
): string {
  if (privileges.length === 0) throw new SqlValueError('a GRANT needs at least one privilege');
  for (const p of privileges) {
    if (!/^[A-Za-z_]+(?: [A-Za-z_]+)*$/.test(p)) {
      throw new SqlValueError(`${JSON.stringify(p)} is not a privilege name`);
    }
  }
  const on =
    database === undefined
      ? '*.*'
      : `${sqlIdentifier(database)}.${table === undefined ? '*' : sqlIdentifier(table)}`;
  return `GRANT ${privileges.map((p) => p.toUpperCase()).join(', ')} ON ${on} TO ${sqlAccount(user, host)}`;
}

/** A TCP port for SOURCE_PORT / MASTER_PORT. */
export function sqlPort(port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SqlValueError(`${port} is not a TCP port`);
  }
  return String(port);
}

/**
 * What a replica can keep of its source's host, user and password, checked on
 * MySQL 9.7 and MariaDB 10.11 (test/fixtures/mysql/*-literal-positions.json and
 * *-statements.json):
 * - no line break: MySQL refuses one (ERROR 1525), MariaDB takes it and writes
 *   it into the line-based master.info, where it splits the value;
 * - no character outside the Basic Multilingual Plane (an emoji): both keep
 *   these values as utf8mb3 (mysql.slave_master_info, master.info), which
 *   stores such a character as `?`, and the replica then fails to log in;
 * - a password of at most `maxPasswordBytes` bytes of UTF-8: 32 on MySQL
 *   (ERROR 3056, which says characters but counts bytes), 96 on MariaDB (ERROR 1470).
 */
export function checkReplicationCredentials(
  server: string,
  o: { host: string; user: string; password: string },
  maxPasswordBytes: number,
): void {
  for (const [what, value] of [
    ['host', o.host],
    ['user', o.user],
    ['password', o.password],
  ] as const) {
    if (/[\r\n]/.test(value)) {
      throw new SqlValueError(
        `${server} cannot keep a line break in a replication source's ${what}`,
      );
    }
    if (/[\uD800-\uDFFF]/.test(value)) {
      throw new SqlValueError(
        `${server} cannot keep a character outside the Basic Multilingual Plane (such as an emoji) in a replication source's ${what}`,
      );
    }
  }
  if (Buffer.byteLength(o.password, 'utf8') > maxPasswordBytes) {
    throw new SqlValueError(
      `${server} takes a replication password of at most ${maxPasswordBytes} bytes of UTF-8: shorten the replication user's password`,
    );
  }
}

/**
 * The TLS options of a CHANGE statement, stated in full whenever `tls` is
 * given: the statement keeps every option it is not told, so a CA set once
 * would outlive `tls: false` (seen on MySQL 9.7: SOURCE_SSL=0 left SOURCE_SSL_CA
 * and the verification in place). `option` adds the dialect's prefix.
 */
export function tlsOptions(
  tls: false | { ca?: string } | undefined,
  option: (name: string) => string,
): string[] {
  if (tls === undefined) return [];
  const ca = tls ? tls.ca : undefined;
  return [
    `${option('SSL')}=${tls ? 1 : 0}`,
    `${option('SSL_CA')}=${sqlString(ca ?? '')}`,
    `${option('SSL_VERIFY_SERVER_CERT')}=${ca === undefined ? 0 : 1}`,
  ];
}
