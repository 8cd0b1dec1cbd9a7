import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { parseFacts } from '../../src/facts/parse';
import { gatherScript } from '../../src/facts/script';
import { parseSession, sessionInput, type SqlRequest } from '../../src/facts/sql-batch';
import { factKey, type FactRequest } from '../../src/facts/types';
import { ENABLE_BACKSLASH_ESCAPES } from '../../src/mysql';
import { fixture } from '../support/cli';

/**
 * SQL facts in one client session per login: real session output, recorded
 * on lab hosts, must give for each query what one `mysql -e` per query gave
 * in the same run (the fixture's `expected`, recorded with the old command).
 */
describe('SQL facts: one client session per login, from real output', () => {
  const dir = fixture('sql-sessions');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const c = JSON.parse(fs.readFileSync(`${dir}/${file}`, 'utf8')) as {
      requests: SqlRequest[];
      output: string;
      expected: unknown[];
    };
    it(file.replace(/\.json$/, ''), () => {
      assert.deepEqual(parseSession(c.requests, c.output), c.expected);
    });
  }

  it('every query is behind its own marker row, a fallback behind its own, and the session ends with one', () => {
    const input = sessionInput([
      { kind: 'sql', query: 'SELECT 1;' },
      { kind: 'sql', query: 'SHOW REPLICA STATUS', orElse: 'SHOW SLAVE STATUS' },
    ]);
    assert.deepEqual(input.trim().split('\n'), [
      // Literals are written for the default mode, whatever sql_mode my.cnf sets.
      `${ENABLE_BACKSLASH_ESCAPES};`,
      "SELECT '@@fb-q 0@@' AS '@@fb-q';",
      // The terminator on a line of its own: a trailing `-- comment` cannot swallow it.
      'SELECT 1',
      ';',
      "SELECT '@@fb-q 1@@' AS '@@fb-q';",
      'SHOW REPLICA STATUS',
      ';',
      "SELECT '@@fb-q 1.else@@' AS '@@fb-q';",
      'SHOW SLAVE STATUS',
      ';',
      "SELECT '@@fb-q end@@' AS '@@fb-q';",
    ]);
  });

  it('a server that does not answer: every query of the session gets its message', () => {
    const requests: SqlRequest[] = [
      { kind: 'sql', query: 'SELECT 1' },
      { kind: 'sql', query: 'SELECT 2' },
    ];
    const out =
      "ERROR 2002 (HY000): Can't connect to local MySQL server through socket '/run/mysqld/mysqld.sock' (2)\n@@fb-rc 1\n";
    for (const r of parseSession(requests, out))
      assert.deepEqual(r, {
        ok: false,
        error:
          "ERROR 2002 (HY000): Can't connect to local MySQL server through socket '/run/mysqld/mysqld.sock' (2)",
      });
  });

  it('a session cut short: the query it was in and those it never reached are errors, never a guess', () => {
    const requests: SqlRequest[] = [
      { kind: 'sql', query: 'SELECT 1' },
      { kind: 'sql', query: 'SELECT 2' },
    ];
    const out =
      '@@fb-q\n@@fb-q 0@@\n1\n1\nERROR 2013 (HY000) at line 3: Lost connection\n@@fb-rc 1\n';
    const [first, second] = parseSession(requests, out);
    assert.deepEqual(first, { ok: false, error: 'ERROR 2013 (HY000): Lost connection' });
    assert.deepEqual(second, { ok: false, error: 'the database client gave no answer' });
  });

  it('a client killed in the middle of a query: that query is an error, not an empty result', () => {
    const requests: SqlRequest[] = [
      { kind: 'sql', query: 'SELECT 1' },
      { kind: 'sql', query: 'SHOW REPLICA STATUS', vertical: true },
    ];
    const out = '@@fb-q\n@@fb-q 0@@\n1\n1\n@@fb-q\n@@fb-q 1@@\n@@fb-rc 143\n';
    const [first, second] = parseSession(requests, out);
    assert.deepEqual(first, { ok: true, output: '1' });
    assert.deepEqual(second, {
      ok: false,
      error: 'the database client stopped before this query finished',
    });
  });

  it("client errors without a code, and messages over several lines, are the query's error", () => {
    const requests: SqlRequest[] = [{ kind: 'sql', query: 'SELECT 1' }];
    const out =
      "@@fb-q\n@@fb-q 0@@\nERROR at line 2: Unknown command '\\G'.\nmore\n@@fb-q\n@@fb-q end@@\n@@fb-rc 1\n";
    assert.deepEqual(parseSession(requests, out), [
      { ok: false, error: "ERROR: Unknown command '\\G'.\nmore" },
    ]);
  });

  it('a gather opens one session per login, runs its sections at once, and reads them back', () => {
    const remote = { host: '10.0.0.1', port: 3306, user: 'repl', password: 'pw' };
    const requests: FactRequest[] = [
      { kind: 'sql', query: 'SELECT 1' },
      { kind: 'exists', path: '/a' },
      { kind: 'sql', query: 'SELECT 2' },
      { kind: 'sql', query: 'SELECT 3', remote },
    ];
    const script = gatherScript(requests);
    assert.equal((script.match(/\| mysql /g) ?? []).length, 2, 'one local and one remote session');
    assert.equal((script.match(/ &$/gm) ?? []).length, 3, 'three sections in the background');
    assert.doesNotMatch(script, /\/tmp/, 'the remote login goes to the private folder');
    const output = [
      '@@foobar-fact-begin@@ 1',
      'yes',
      '@@foobar-fact-end@@',
      '@@foobar-fact-begin@@ sql0',
      '@@fb-q\n@@fb-q 0@@\n1\n1\n@@fb-q\n@@fb-q 1@@\n2\n2\n@@fb-q\n@@fb-q end@@\n@@fb-rc 0',
      '@@foobar-fact-end@@',
      '@@foobar-fact-begin@@ sql1',
      "ERROR 1045 (28000): Access denied for user 'repl'@'10.0.0.2' (using password: YES)\n@@fb-rc 1",
      '@@foobar-fact-end@@',
      '',
    ].join('\n');
    const facts = parseFacts(requests, output);
    assert.deepEqual(facts.get(factKey(requests[0]!))!.value, { ok: true, output: '1' });
    assert.deepEqual(facts.get(factKey(requests[2]!))!.value, { ok: true, output: '2' });
    assert.equal((facts.get(factKey(requests[3]!))!.value as { ok: boolean }).ok, false);
    assert.equal(facts.get('exists:/a')!.value, true);
  });
});
