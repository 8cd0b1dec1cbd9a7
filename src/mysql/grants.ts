import { sqlAccount } from './sql-string';

/** One line of SHOW GRANTS, normalised so that wanted and real grants compare. */
export interface Grant {
  /** Upper case, sorted, aliases folded (`REPLICATION REPLICA` → `REPLICATION SLAVE`). */
  privileges: string[];
  /** `*.*`, `db.*`, `db.table`, unquoted. */
  on: string;
  /** MariaDB prints `REQUIRE SSL` in SHOW GRANTS; MySQL only in SHOW CREATE USER. */
  requireSsl?: boolean;
  grantOption?: boolean;
}

/** `SHOW GRANTS FOR 'user'@'host'`: read each line (batch, no column names) with parseGrants. */
export function showGrantsQuery(user: string, host: string): string {
  return `SHOW GRANTS FOR ${sqlAccount(user, host)}`;
}

/** Other names the servers print for one privilege: the GRANT statements use the value. */
const ALIASES: Readonly<Record<string, string>> = {
  'REPLICATION REPLICA': 'REPLICATION SLAVE',
  ALL: 'ALL PRIVILEGES',
};

/** Where `word` (surrounded by spaces) first occurs outside quotes and parentheses, or -1. */
function findTopLevel(text: string, word: string, from = 0): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) {
        if (text[i + 1] === quote) i++;
        else quote = undefined;
      } else if (c === '\\' && quote === "'") {
        i++;
      }
    } else if (c === '`' || c === "'" || c === '"') {
      quote = c;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
    } else if (depth === 0 && text.startsWith(word, i)) {
      return i;
    }
  }
  return -1;
}

/** Splits on `sep` outside quotes and parentheses. */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let at = findTopLevel(text, sep); at >= 0; at = findTopLevel(text, sep, start)) {
    parts.push(text.slice(start, at));
    start = at + sep.length;
  }
  parts.push(text.slice(start));
  return parts;
}

function unquote(part: string): string {
  const m = /^([`'"])(.*)\1$/s.exec(part);
  if (!m) return part;
  const q = m[1] as string;
  return (m[2] as string).split(q + q).join(q);
}

/** `` `app`.* `` → `app.*`; `PROCEDURE `db`.`p`` keeps its kind: `PROCEDURE db.p`. */
function normaliseTarget(target: string): string {
  const m = /^(FUNCTION|PROCEDURE|TABLE)\s+(.*)$/i.exec(target);
  const kind = m ? `${(m[1] as string).toUpperCase()} ` : '';
  const name = (m ? (m[2] as string) : target).trim();
  // PROXY is granted on an account (`''@'%'`): kept as printed.
  if (findTopLevel(name, '@') >= 0) return kind + name;
  return kind + splitTopLevel(name, '.').map(unquote).join('.');
}

/** `select (`a`)` → `SELECT (`a`)`: the keyword in upper case, column names as they are. */
function normalisePrivilege(privilege: string): string {
  const p = privilege.trim().replace(/\s+/g, ' ');
  const paren = p.indexOf('(');
  const word = (paren < 0 ? p : p.slice(0, paren)).trim().toUpperCase();
  const columns = paren < 0 ? '' : ` ${p.slice(paren)}`;
  return (ALIASES[word] ?? word) + columns;
}

/**
 * SHOW GRANTS lines → grants. Both spellings are read: MySQL 8/9 backquote the
 * account (``GRANT REPLICATION SLAVE ON *.* TO `repl`@`10.0.0.12` ``), MariaDB
 * may add `IDENTIFIED BY PASSWORD '*...'`, `REQUIRE SSL` and `WITH GRANT OPTION`.
 * A USAGE line is kept (privileges `['USAGE']`). Role grants (`GRANT `r`@`%` TO
 * ...`), which have no ON, are left out.
 */
export function parseGrants(lines: readonly string[]): Grant[] {
  const grants: Grant[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (!/^GRANT\s/i.test(line)) continue;
    const onAt = findTopLevel(line, ' ON ');
    if (onAt < 0) continue;
    const toAt = findTopLevel(line, ' TO ', onAt + 4);
    if (toAt < 0) continue;
    const privileges = splitTopLevel(line.slice(6, onAt), ',')
      .map(normalisePrivilege)
      .filter((p) => p !== '');
    const grant: Grant = {
      privileges: [...new Set(privileges)].sort(),
      on: normaliseTarget(line.slice(onAt + 4, toAt).trim()),
    };
    const rest = line.slice(toAt + 4);
    if (findTopLevel(rest, ' REQUIRE SSL') >= 0) grant.requireSsl = true;
    else if (findTopLevel(rest, ' REQUIRE NONE') >= 0) grant.requireSsl = false;
    if (findTopLevel(rest, ' WITH GRANT OPTION') >= 0) grant.grantOption = true;
    grants.push(grant);
  }
  return grants;
}

/**
 * True when the real grants give at least what `wanted` asks on its target:
 * every wanted privilege is granted there, or ALL PRIVILEGES is. Grants on
 * `*.*` count for every database.
 */
export function grantsCover(real: readonly Grant[], wanted: Grant): boolean {
  const onTarget = real.filter((g) => g.on === wanted.on || g.on === '*.*');
  const have = new Set(onTarget.flatMap((g) => g.privileges));
  const want = wanted.privileges.map(normalisePrivilege);
  if (have.has('ALL PRIVILEGES') && want.every((p) => p !== 'GRANT OPTION')) return true;
  return want.every((p) => have.has(p));
}
