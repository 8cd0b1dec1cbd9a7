import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import {
  dialectFor,
  ENABLE_BACKSLASH_ESCAPES,
  isModeIndependent,
  parseServerVersion,
  sqlAccount,
  sqlIdentifier,
  sqlString,
  SqlValueError,
} from '../../src/mysql';
import { fixture } from '../support/cli';

const FLAVOURS = ['mysql-9.7', 'mariadb-10.11'] as const;
const read = (name: string) => JSON.parse(fs.readFileSync(fixture('mysql', name), 'utf8'));

/**
 * Reads a literal the way the server does in the default sql_mode (backslash
 * escapes on) or under NO_BACKSLASH_ESCAPES: an independent model of the
 * lexer, so that the table below checks meaning, not spelling.
 */
function readLiteral(literal: string, backslashEscapes: boolean): string {
  assert.ok(literal.startsWith("'") && literal.endsWith("'"), literal);
  const body = literal.slice(1, -1);
  const map: Record<string, string> = { '0': '\0', n: '\n', r: '\r', Z: '\x1a', t: '\t', b: '\b' };
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === "'") {
      assert.equal(body[i + 1], "'", `a lone quote inside ${literal}`);
      out += "'";
      i++;
    } else if (c === '\\' && backslashEscapes) {
      const next = body[++i] as string;
      out += map[next] ?? next;
    } else {
      out += c;
    }
  }
  return out;
}

describe('mysql sqlString: a literal that holds exactly the value', () => {
  const cases: [string, string, string][] = [
    ['plain', 'plain', "'plain'"],
    ['single quote', "it's", "'it''s'"],
    ['double quote', 'say "hi"', `'say "hi"'`],
    ['backslash', 'back\\slash', "'back\\\\slash'"],
    ['backslash quote', "\\'", "'\\\\'''"],
    ['two quotes', "''", "''''''"],
    ['NUL', 'a\0b', "'a\\0b'"],
    ['newline', 'line\nbreak', "'line\\nbreak'"],
    ['carriage return', 'cr\rlf', "'cr\\rlf'"],
    ['Ctrl-Z', 'ctrl\x1aZ', "'ctrl\\ZZ'"],
    ['tab, as is', 'tab\there', "'tab\there'"],
    ['LIKE wildcards, as is', '100%_done', "'100%_done'"],
    ['unicode, as is', 'ümlaut €uro 😀 日本', "'ümlaut €uro 😀 日本'"],
    ['a written escape', '\\n is not a newline', "'\\\\n is not a newline'"],
    ['empty', '', "''"],
  ];
  for (const [name, value, literal] of cases) {
    it(name, () => {
      assert.equal(sqlString(value), literal);
      assert.equal(readLiteral(literal, true), value);
    });
  }

  it('a value without \\, NUL, CR, LF or Ctrl-Z reads the same under NO_BACKSLASH_ESCAPES', () => {
    for (const [, value, literal] of cases) {
      assert.equal(
        isModeIndependent(value),
        !['\\', '\0', '\r', '\n', '\x1a'].some((c) => value.includes(c)),
      );
      if (isModeIndependent(value)) {
        assert.ok(!literal.includes('\\'), literal);
        assert.equal(readLiteral(literal, false), value);
      }
    }
  });

  it('ENABLE_BACKSLASH_ESCAPES holds no backslash, so it reads the same in every mode', () => {
    assert.ok(!ENABLE_BACKSLASH_ESCAPES.includes('\\'));
    assert.match(ENABLE_BACKSLASH_ESCAPES, /^SET SESSION sql_mode = /);
  });

  it('a lone UTF-16 surrogate has no UTF-8 form and is refused', () => {
    assert.throws(() => sqlString('a\uD83Db'), SqlValueError);
    assert.throws(() => sqlString('\uDE00'), SqlValueError);
    assert.equal(sqlString('\uD83D\uDE00'), "'😀'");
  });

  for (const flavour of FLAVOURS) {
    it(`the real ${flavour} server reads every literal as the value, in both sql_modes (fixture)`, () => {
      const c = read(`${flavour}-sql-string-roundtrip.json`);
      const literals = c.literals as { value: string; literal: string; utf8Hex: string }[];
      for (const l of literals) {
        assert.equal(sqlString(l.value), l.literal, 'the literal the server was sent');
        assert.equal(Buffer.from(l.value, 'utf8').toString('hex').toUpperCase(), l.utf8Hex);
      }
      // The default mode, and NO_BACKSLASH_ESCAPES undone by ENABLE_BACKSLASH_ESCAPES.
      assert.deepEqual(
        c.serverHex.default,
        literals.map((l) => l.utf8Hex),
      );
      assert.deepEqual(
        c.serverHex.noBackslashEscapesThenEnabled,
        literals.map((l) => l.utf8Hex),
      );
      // Under NO_BACKSLASH_ESCAPES as such, the mode-independent values.
      assert.deepEqual(
        c.serverHex.noBackslashEscapes,
        literals.filter((l) => isModeIndependent(l.value)).map((l) => l.utf8Hex),
      );
      // Through a client left at latin1, non-ASCII text stored as utf8mb4 changes.
      const cs = c.clientCharset;
      assert.equal(cs.utf8mb4Client, `${cs.utf8Hex}\tutf8mb4`);
      assert.notEqual(cs.defaultClient.split('\t')[0], cs.utf8Hex);
    });

    it(`on ${flavour}, a password with quotes, backslashes, a tab, a newline and unicode logs in (fixture)`, () => {
      // Recorded by capture.js: CREATE USER built by the dialect on the primary,
      // then `MYSQL_PWD=<password> mysql --default-character-set=utf8mb4
      // --protocol=TCP -h <primary> -u fx_login -e 'SELECT CURRENT_USER()'`
      // from the replica host; the same password less one backslash must fail.
      const c = read(`${flavour}-login.json`);
      const d = dialectFor(parseServerVersion(c.server));
      assert.equal(
        d.createUser({ user: 'fx_login', host: '%', password: c.password }).redacted,
        c.createdWith,
      );
      for (const ch of ["'", '"', '\\', "\\'", '%', '_', '\t', '\n', 'ü', '€', '😀']) {
        assert.ok((c.password as string).includes(ch), `the password holds ${JSON.stringify(ch)}`);
      }
      const [right, wrong] = c.attempts;
      assert.deepEqual(right, { user: 'fx_login', ok: true, output: 'fx_login@%' });
      assert.equal(wrong.ok, false);
      assert.match(wrong.output, /ERROR 1045/);
    });
  }
});

describe('mysql sqlIdentifier and sqlAccount', () => {
  it('backquotes an identifier and doubles its backquotes', () => {
    assert.equal(sqlIdentifier('app'), '`app`');
    assert.equal(sqlIdentifier('we`ird'), '`we``ird`');
    assert.equal(sqlIdentifier('it\'s \\ "x"'), '`it\'s \\ "x"`');
    assert.equal(sqlIdentifier('my-db.v2'), '`my-db.v2`');
  });

  it('refuses an empty identifier and one with NUL', () => {
    assert.throws(() => sqlIdentifier(''), SqlValueError);
    assert.throws(() => sqlIdentifier('a\0b'), SqlValueError);
  });

  it("writes 'user'@'host' with both parts as literals", () => {
    assert.equal(sqlAccount('repl', '10.0.0.%'), "'repl'@'10.0.0.%'");
    assert.equal(sqlAccount("o'brien", 'h\\x'), "'o''brien'@'h\\\\x'");
  });
});
