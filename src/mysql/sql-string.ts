/**
 * Literals and identifiers for SQL text that is sent through the `mysql` client.
 *
 * Why string literals look the way they do:
 * - Passwords go into `IDENTIFIED BY '...'` and `SOURCE_PASSWORD = '...'`, where
 *   the grammar of both servers takes a quoted string literal and nothing else:
 *   a hex literal (`0x...`, `_utf8mb4 0x...`, `X'...'`) or an expression is a syntax
 *   error there (checked on MySQL 9.7 and MariaDB 10.11, see
 *   test/fixtures/mysql/*-literal-positions.json). So hex literals are out.
 * - A quote is written `''`, which means the same with and without
 *   NO_BACKSLASH_ESCAPES. A value with no backslash, NUL, CR, LF or Ctrl-Z is
 *   therefore written without a single backslash and is right in every sql_mode.
 * - A backslash cannot be written the same way in both modes (`'\\'` is one
 *   backslash in the default mode, two under NO_BACKSLASH_ESCAPES), so the
 *   literal follows the default mode, and a session that may carry
 *   NO_BACKSLASH_ESCAPES (a `sql_mode` set in my.cnf) runs
 *   {@link ENABLE_BACKSLASH_ESCAPES} first: that statement holds no backslash and
 *   so means the same whatever the mode it starts from.
 * - NUL, CR, LF and Ctrl-Z are written as `\0`, `\r`, `\n`, `\Z`: the client
 *   rejects a raw NUL outside --binary-mode and turns CR LF into LF, an argv
 *   (`mysql -e`) cannot hold NUL, and logs stay on one line.
 * - Everything else, including `"`, `%`, `_`, tabs and non-ASCII text, is written
 *   as is. Non-ASCII text that the server keeps as text (a replication password
 *   in mysql.slave_master_info, a path, a comment) arrives intact only when the
 *   client talks utf8mb4 ({@link CLIENT_CHARSET_OPTION}); the lab's clients
 *   default to latin1, which turns `ü` into `Ã¼`. (Password hashes of CREATE USER
 *   are taken over the bytes as sent, so logins work either way.)
 */

import { FoobarError } from '../core/errors';

/** A value that no SQL text can carry where it was asked to go. */
export class SqlValueError extends FoobarError {
  readonly kind = 'sql-value';
}

/**
 * Removes NO_BACKSLASH_ESCAPES from the session's sql_mode and keeps every other
 * mode. Contains no backslash, so it means the same whatever the mode it runs in.
 */
export const ENABLE_BACKSLASH_ESCAPES =
  "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))";

/** The `mysql` client option that makes non-ASCII literals reach the server as written. */
export const CLIENT_CHARSET_OPTION = '--default-character-set=utf8mb4';

const ESCAPES: Readonly<Record<string, string>> = {
  "'": "''",
  '\\': '\\\\',
  '\0': '\\0',
  '\n': '\\n',
  '\r': '\\r',
  '\x1a': '\\Z',
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A single-quoted SQL string literal holding exactly `value` (see the notes above). */
export function sqlString(value: string): string {
  if (LONE_SURROGATE.test(value)) {
    throw new SqlValueError(
      'a SQL string cannot hold a lone UTF-16 surrogate: it has no UTF-8 form',
    );
  }
  return `'${Array.from(value, (c) => ESCAPES[c] ?? c).join('')}'`;
}

/** True when `sqlString(value)` means the same with and without NO_BACKSLASH_ESCAPES. */
export function isModeIndependent(value: string): boolean {
  return !Array.from(value).some((c) => c !== "'" && c in ESCAPES);
}

/**
 * A backquoted identifier (database, table, column). Backquotes are doubled.
 * Neither server allows NUL in an identifier, nor an empty one.
 */
export function sqlIdentifier(name: string): string {
  if (name === '') throw new SqlValueError('an SQL identifier cannot be empty');
  if (name.includes('\0')) throw new SqlValueError('an SQL identifier cannot contain NUL');
  return `\`${name.replace(/`/g, '``')}\``;
}

/** An account, `'user'@'host'`, as CREATE USER, GRANT and SHOW GRANTS take it. */
export function sqlAccount(user: string, host: string): string {
  return `${sqlString(user)}@${sqlString(host)}`;
}
