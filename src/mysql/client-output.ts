/**
 * Parsers for the two text forms of the `mysql` client's results that the
 * fact commands use: vertical (`--vertical`) and batch (`--batch`).
 */

import { FoobarError } from '../core/errors';

/** The client printed something a parser cannot read. */
export class MysqlOutputError extends FoobarError {
  readonly kind = 'mysql-output';
}

/** One row of a result: column name → value, `null` for SQL NULL. */
export type Row = Record<string, string | null>;

const ROW_HEADER = /^\*+ \d+\. row \*+$/;
const FOOTER = /^\d+ rows? in set|^Empty set/;

/**
 * Rows of vertical output (`mysql --vertical -e 'SHOW REPLICA STATUS'`). Ask
 * for it with --vertical, not `\G`: the MySQL 9.7 client refuses its own
 * commands when not interactive (`--commands` is off) and answers
 * `Unknown command '\G'`.
 *
 * The client right-aligns every column name of a result to the longest one, so
 * a field line is `<spaces><name>: <value>` with the colon at the same column on
 * every line of that row. A line without a name at that column continues the
 * value above it: that is how multi-line values print, such as a GTID set
 * (`uuid:1-5,\nuuid:1-3`) or an error message holding a query. Lines are joined
 * back with `\n`. The client prints SQL NULL as `NULL`, so a value `NULL` is
 * read as null.
 */
export function parseVertical(output: string): Row[] {
  const rows: Row[] = [];
  let row: Row | undefined;
  let width = -1;
  let last: string | undefined;
  for (const line of output.replace(/\r\n/g, '\n').split('\n')) {
    if (ROW_HEADER.test(line)) {
      row = {};
      rows.push(row);
      width = -1;
      last = undefined;
      continue;
    }
    if (!row) continue;
    if (width < 0) {
      const m = /^ *[A-Za-z_][A-Za-z0-9_]*: ?/.exec(line);
      if (m) width = line.indexOf(':');
    }
    const name = width > 0 && line[width] === ':' ? line.slice(0, width) : '';
    if (/^ *[A-Za-z_][A-Za-z0-9_]*$/.test(name) && /^(?: |$)/.test(line.slice(width + 1))) {
      last = name.trim();
      row[last] = line.slice(width + 2);
    } else if (last !== undefined && !FOOTER.test(line)) {
      row[last] = `${row[last] ?? ''}\n${line}`;
    }
  }
  for (const r of rows) {
    const keys = Object.keys(r);
    // The output's final newline (and any blank line before the next row) is no value's.
    const lastKey = keys[keys.length - 1];
    if (lastKey !== undefined) r[lastKey] = (r[lastKey] ?? '').replace(/\n+$/, '');
    for (const key of keys) if (r[key] === 'NULL') r[key] = null;
  }
  return rows;
}

/** Undoes the escapes `mysql --batch` writes: `\0`, `\t`, `\n`, `\\`. */
function unescapeBatchField(field: string): string | null {
  if (field === 'NULL') return null;
  return field.replace(/\\([0tn\\])/g, (_m, c: string) =>
    c === '0' ? '\0' : c === 't' ? '\t' : c === 'n' ? '\n' : '\\',
  );
}

/**
 * Rows of `mysql --batch --skip-column-names` output: one line a row, fields
 * split on tabs, with the client's escapes (`\0`, `\t`, `\n`, `\\`) decoded and
 * `NULL` read as null. (The client writes a value that is the string `NULL` the
 * same way as SQL NULL; queries that care select `IFNULL(x, '')` or `x IS NULL`.)
 */
export function parseBatch(output: string): (string | null)[][] {
  const text = output.replace(/\r?\n$/, '');
  if (text === '') return [];
  return text.split('\n').map((line) => line.split('\t').map(unescapeBatchField));
}

/** Rows of `mysql --batch` output whose first line names the columns. */
export function parseBatchWithNames(output: string): Row[] {
  const [header, ...rows] = parseBatch(output);
  if (!header) return [];
  return rows.map((fields) =>
    Object.fromEntries(header.map((name, i) => [name ?? '', fields[i] ?? null])),
  );
}
