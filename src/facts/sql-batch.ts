/**
 * SQL facts in one client session per server: every query of a gather that
 * goes to the same server is sent on one `mysql` process's stdin, each behind
 * a marker row, and the session's output is cut back into one result per
 * query. One client start (about 35 ms each) instead of one per query.
 *
 * The session runs with `--force` (a failing query does not stop the others)
 * and `--unbuffered` (each result is written before the next query runs, so
 * an error, which the client writes to stderr, lands in its own frame).
 * Column names are on, because vertical output cannot be asked for per query
 * (the MySQL 9.7 client refuses `\G` when not interactive): a batch frame
 * drops its header line, and a vertical frame is laid out from header and
 * rows as `--vertical` prints it.
 */
import { parseBatch } from '../mysql/client-output';
import { ENABLE_BACKSLASH_ESCAPES } from '../mysql/sql-string';
import { quote } from '../core/shell';
import type { FactRequest, RemoteDatabase, SqlResult } from './types';

export type SqlRequest = Extract<FactRequest, { kind: 'sql' }>;

/** Non-ASCII text reaches the server as written only when the client talks utf8mb4. */
// --column-names: an option file's skip-column-names would otherwise eat each first row.
const CLIENT_FLAGS = '--default-character-set=utf8mb4 --batch --column-names --force --unbuffered';
const MARK = '@@fb-q';
const NO_CLIENT = '@@fb-no-mysql-client';
const EXIT = '@@fb-rc';

/**
 * The login a request uses: requests with the same one share a session. An
 * internal key only (it holds the password): never printed.
 */
export function loginOf(r: SqlRequest): string {
  return r.remote ? JSON.stringify(r.remote) : 'local';
}

/** The statements sent on stdin: a marker row before each query, one at the end. */
export function sessionInput(requests: readonly SqlRequest[]): string {
  // Literals are written for the default mode (src/mysql/sql-string.ts); a
  // sql_mode from my.cnf with NO_BACKSLASH_ESCAPES would read them otherwise.
  const lines: string[] = [`${ENABLE_BACKSLASH_ESCAPES};`];
  const frame = (id: string, query: string) => {
    lines.push(`SELECT '${MARK} ${id}@@' AS '${MARK}';`, query.replace(/;\s*$/, ''), ';');
  };
  requests.forEach((r, i) => {
    frame(String(i), r.query);
    if (r.orElse) frame(`${i}.else`, r.orElse);
  });
  lines.push(`SELECT '${MARK} end@@' AS '${MARK}';`);
  return `${lines.join('\n')}\n`;
}

/** A value inside double quotes in a MySQL option file: backslash and quote escaped. */
function escapeOptionValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/**
 * The shell command of one session. A remote server's password goes into a
 * mode-600 defaults file in the gather's private folder (`$fb_d`), never argv,
 * and only when that folder is root's, under /run: never /tmp.
 */
export function sessionCommand(requests: readonly SqlRequest[], name: string): string {
  const input = quote(sessionInput(requests));
  const remote = requests[0]?.remote;
  const client = remote
    ? `mysql --defaults-extra-file="$fb_d/${name}.cnf" --protocol=TCP`
    : 'mysql';
  const setup = remote ? `${defaultsFile(remote, `"$fb_d/${name}.cnf"`)} && ` : '';
  return [
    `if ! command -v mysql >/dev/null 2>&1; then echo ${NO_CLIENT};`,
    `else ${setup}printf '%s' ${input} | ${client} ${CLIENT_FLAGS} 2>&1; echo "${EXIT} $?"; fi`,
  ].join(' ');
}

/** The client options for TLS: required, and verified against the CA when there is one. */
function tlsOptions(remote: RemoteDatabase): string {
  if (!remote.tls) return '';
  const ca = remote.ca ? `ssl-ca="${escapeOptionValue(remote.ca)}"\n` : '';
  if (remote.tls === 'mariadb') return `ssl\n${ca}${remote.ca ? 'ssl-verify-server-cert\n' : ''}`;
  return remote.ca ? `ssl-mode=VERIFY_IDENTITY\n${ca}` : 'ssl-mode=REQUIRED\n';
}

const NO_RUNTIME_FOLDER =
  'no root-only runtime folder under /run for the credentials (the check needs become: true)';

function defaultsFile(remote: RemoteDatabase, file: string): string {
  const tls = tlsOptions(remote);
  return [
    `case "$fb_d" in /run/*) ;; *) echo ${quote(NO_RUNTIME_FOLDER)}; false;; esac &&`,
    `( umask 077 && printf '[client]\\nhost=%s\\nport=%s\\nuser=%s\\npassword="%s"\\nconnect-timeout=5\\n%s'`,
    `${quote(remote.host)} ${remote.port} ${quote(remote.user)} ${quote(escapeOptionValue(remote.password))} ${quote(tls)} > ${file} )`,
  ].join(' ');
}

interface Frame {
  lines: string[];
  /** The next marker came: the query ran to its end. */
  closed: boolean;
}

/** Cuts a session's output into frames by marker row. */
function frames(output: string): { frames: Map<string, Frame>; before: string[] } {
  const out = new Map<string, Frame>();
  const before: string[] = [];
  let current: Frame | undefined;
  const marker = new RegExp(`^${MARK} (.+)@@$`);
  for (const line of output.split('\n')) {
    if (line === MARK) continue; // the marker's column name
    const m = marker.exec(line);
    if (m) {
      if (current) current.closed = true;
      current = m[1] === 'end' ? undefined : { lines: [], closed: false };
      if (current) out.set(m[1]!, current);
      continue;
    }
    if (line.startsWith(`${EXIT} `)) continue;
    (current?.lines ?? before).push(line);
  }
  return { frames: out, before };
}

/**
 * The client's error lines (on stderr, which the session merges), without the
 * " at line N" that only a session has. A value cannot start a line with
 * them: batch output writes a newline inside a value as `\n`.
 */
const ERROR_LINE = /^ERROR(?: \d+ \([0-9A-Z]+\))?(?: at line \d+)?: /;

function frameResult(frame: Frame, vertical: boolean): SqlResult {
  const first = frame.lines.findIndex((l) => ERROR_LINE.test(l));
  if (first >= 0) {
    // The message from its first line on: some run over several lines.
    const message = frame.lines
      .slice(first)
      .join('\n')
      .replace(/ at line \d+:/, ':');
    return { ok: false, error: message.trim() };
  }
  if (!frame.closed) {
    return { ok: false, error: 'the database client stopped before this query finished' };
  }
  const text = frame.lines.join('\n').replace(/\n+$/, '');
  if (text === '') return { ok: true, output: '' };
  return { ok: true, output: vertical ? asVertical(text) : text.split('\n').slice(1).join('\n') };
}

/** Header and rows of batch output, laid out as `mysql --vertical` prints them. */
export function asVertical(batch: string): string {
  const [header, ...rows] = parseBatch(batch);
  if (!header) return '';
  const names = header.map((h) => h ?? '');
  const width = Math.max(...names.map((n) => n.length));
  const out: string[] = [];
  rows.forEach((row, i) => {
    out.push(`${'*'.repeat(27)} ${i + 1}. row ${'*'.repeat(27)}`);
    names.forEach((n, j) => out.push(`${n.padStart(width)}: ${row[j] ?? 'NULL'}`));
  });
  return out.join('\n');
}

/** One result per request, in order, from a session's output. */
export function parseSession(requests: readonly SqlRequest[], output: string): SqlResult[] {
  if (output.split('\n').includes(NO_CLIENT)) {
    return requests.map(() => ({ ok: false, error: 'the mysql client is not installed' }));
  }
  const { frames: all, before } = frames(output);
  const noAnswer = before.join('\n').trim() || 'the database client gave no answer';
  return requests.map((r, i) => {
    const main = all.get(String(i));
    if (!main) return { ok: false, error: noAnswer };
    const first = frameResult(main, r.vertical ?? false);
    const other = r.orElse ? all.get(`${i}.else`) : undefined;
    if (first.ok || !other) return first;
    return frameResult(other, r.vertical ?? false);
  });
}
