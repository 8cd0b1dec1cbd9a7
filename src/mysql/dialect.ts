import type { Dialect } from './dialect-types';
import { mariadbDialect } from './mariadb-dialect';
import { mysqlDialect } from './mysql-dialect';
import type { ServerVersion } from './version';

export type { ChangeSourceOptions, Dialect, UserOptions } from './dialect-types';

/** The dialect for a server's flavour and version. */
export function dialectFor(v: ServerVersion): Dialect {
  return v.flavor === 'mariadb' ? mariadbDialect(v) : mysqlDialect(v);
}
