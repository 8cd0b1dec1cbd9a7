import { strict as assert } from 'node:assert';
import { sessionInput } from '../../src/facts/sql-batch';
import type { FactRequest } from '../../src/facts/types';
import { mysqlUserModule } from '../../src/modules/mysql-user';
import { ENABLE_BACKSLASH_ESCAPES } from '../../src/mysql';

/**
 * The accounts of a user name are read with one string literal: a backslash
 * in the name must not end the literal early (it would spoil every later
 * query of the host's one SQL session), whatever the server's sql_mode.
 */
describe('mysql_user: the accounts query of any name', () => {
  const queries = (name: string) =>
    mysqlUserModule
      .facts(
        {
          name,
          password: 'x',
          hosts: 'localhost',
          grants: [],
          exclusive: true,
        } as never,
        {} as never,
      )
      .filter((r): r is Extract<FactRequest, { kind: 'sql' }> => r.kind === 'sql')
      .map((r) => r.query);

  it("a name with a backslash and a quote is one literal: backslash doubled, quote as ''", () => {
    const accounts = queries("a\\b'c").find((q) => q.startsWith('SELECT host, ssl_type'));
    assert.equal(accounts, "SELECT host, ssl_type FROM mysql.user WHERE user = 'a\\\\b''c'");
  });

  it('the session first turns backslash escapes on, in a statement that has no backslash', () => {
    const input = sessionInput([{ kind: 'sql', query: 'SELECT 1' }]);
    assert.ok(input.startsWith(`${ENABLE_BACKSLASH_ESCAPES};\n`), input);
    assert.ok(!ENABLE_BACKSLASH_ESCAPES.includes('\\'));
  });

  it('auth: socket takes no password and local accounts only; password auth needs its password', () => {
    const parse = (args: object) => {
      const r = mysqlUserModule.args.safeParse({ name: 'backup', grants: [], ...args });
      return r.success ? 'ok' : r.error.issues.map((i) => i.message).join('; ');
    };
    assert.equal(parse({ auth: 'socket', hosts: 'localhost' }), 'ok');
    assert.equal(parse({ password: 'x', hosts: 'localhost' }), 'ok');
    assert.match(parse({ auth: 'socket', hosts: 'localhost,10.0.0.2' }), /hosts must be localhost/);
    assert.match(
      parse({ auth: 'socket', password: 'x', hosts: 'localhost' }),
      /give a password, or auth: socket/,
    );
    assert.match(parse({ hosts: 'localhost' }), /give a password, or auth: socket/);
  });
});
