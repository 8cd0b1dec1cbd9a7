/**
 * MySQL and MariaDB knowledge for the replication and user modules: versions,
 * literals, statements by flavour and version, and parsers of the client's
 * output. Pure: no file system, no processes.
 */
export {
  MysqlOutputError,
  parseBatch,
  parseBatchWithNames,
  parseVertical,
  type Row,
} from './client-output';
export { dialectFor, type ChangeSourceOptions, type Dialect, type UserOptions } from './dialect';
export { grantsCover, parseGrants, showGrantsQuery, type Grant } from './grants';
export {
  identityQuery,
  normalizeGtidSet,
  parseIdentity,
  parseVersionOutput,
  VERSION_QUERY,
  type MariadbIdentity,
  type MysqlIdentity,
  type ServerIdentity,
} from './identity';
export { isReplicating, parseReplicaStatus, type ReplicaStatus } from './replica-status';
export { withSecret, type SecretSql } from './secret-sql';
export {
  CLIENT_CHARSET_OPTION,
  ENABLE_BACKSLASH_ESCAPES,
  isModeIndependent,
  sqlAccount,
  sqlIdentifier,
  sqlString,
  SqlValueError,
} from './sql-string';
export {
  atLeast,
  describeVersion,
  MINIMUM_VERSION,
  parseServerVersion,
  UnsupportedServerVersion,
  type Flavor,
  type ServerVersion,
} from './version';
export { AUTH_SOCKET_LOADED } from './mysql-dialect';
