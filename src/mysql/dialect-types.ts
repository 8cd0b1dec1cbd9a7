import type { SecretSql } from './secret-sql';
import type { ServerVersion } from './version';

/** Where a replica connects to, and how. */
export interface ChangeSourceOptions {
  host: string;
  /** Defaults to 3306. */
  port?: number;
  user: string;
  password: string;
  /**
   * `{}`: replicate over TLS without checking the source's certificate.
   * `{ ca }`: over TLS, the certificate checked against that CA file (and the
   * host name against it). `false`: no TLS. Given, the statement sets all three
   * TLS options (SSL, SSL_CA, SSL_VERIFY_SERVER_CERT), so nothing of an earlier
   * setting stays; left out, it touches none of them (a new MySQL 9.7 channel
   * then uses TLS when the source offers it, a MariaDB 10.11 one does not).
   */
  tls?: false | { ca?: string };
}

/** An account with a password. */
export interface UserOptions {
  user: string;
  host: string;
  password: string;
  /** true: `REQUIRE SSL`; false (alterUserPassword only): `REQUIRE NONE`; left out: unchanged. */
  requireSsl?: boolean;
}

/** The statements for one server, chosen by its flavour and version. */
export interface Dialect {
  readonly version: ServerVersion;
  /** Points the replica at its source, with GTID positioning. Holds the password. */
  changeSource(options: ChangeSourceOptions): SecretSql;
  startReplica(): string;
  stopReplica(): string;
  /** Forgets the source entirely (connection settings and relay logs). */
  resetReplicaAll(): string;
  /** Run with `mysql --vertical` and read with parseReplicaStatus. */
  showReplicaStatus(): string;
  showBinaryLogStatus(): string;
  /** Statements that turn read-only mode on or off, in the order they must run. */
  readOnly(on: boolean): string[];
  createUser(options: UserOptions): SecretSql;
  alterUserPassword(options: UserOptions): SecretSql;
  /**
   * The account authenticated by the operating system's user of the same
   * name over the server's socket, with no password: created, or switched to it.
   */
  socketUser(user: string, host: string, create: boolean): string[];
  /** The name mysql.user gives that plugin (auth_socket, unix_socket). */
  readonly socketPlugin: string;
  /** The privilege a replica's connecting user needs on its source. */
  grantReplication(user: string, host: string): string;
  grantAllOnDatabase(database: string, user: string, host: string): string;
  createDatabase(name: string, charset?: string, collation?: string): string;
  /** One query, one row, for `mysql --batch --skip-column-names`: see parseIdentity. */
  identityQuery(): string;
}
