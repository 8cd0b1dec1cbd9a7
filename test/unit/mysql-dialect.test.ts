import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { dialectFor, parseServerVersion, SqlValueError, type Dialect } from '../../src/mysql';
import { fixture } from '../support/cli';

const mysql97 = dialectFor(parseServerVersion('9.7.4-2', '(Debian)'));
const mysql80 = dialectFor(parseServerVersion('8.0.22'));
const mariadb = dialectFor(parseServerVersion('10.11.18-MariaDB-0+deb12u1-log'));

interface Recorded {
  host: string;
  note: string;
  call: keyof Dialect;
  args: unknown[];
  statements: { sql: string; redacted?: string; ok: boolean; output: string }[];
}

describe('mysql dialect: the builders produce what the real servers accepted', () => {
  for (const flavour of ['mysql-9.7', 'mariadb-10.11']) {
    const c = JSON.parse(fs.readFileSync(fixture('mysql', `${flavour}-statements.json`), 'utf8'));
    const d = dialectFor(parseServerVersion(c.version, c.versionComment));
    for (const r of c.statements as Recorded[]) {
      it(`${flavour}: ${r.call} (${r.note})`, () => {
        const built = (d[r.call] as (...a: unknown[]) => unknown)(...r.args);
        const list = (Array.isArray(built) ? built : [built]) as (
          string | { sql: string; redacted: string }
        )[];
        assert.deepEqual(
          list.map((b) => (typeof b === 'string' ? { sql: b } : b)),
          r.statements.map((s) =>
            s.redacted === undefined ? { sql: s.sql } : { sql: s.sql, redacted: s.redacted },
          ),
        );
        assert.ok(r.statements.every((s) => s.ok));
      });
    }
    it(`${flavour}: the other generation's statements are refused or kept, as recorded`, () => {
      const refused = (c.otherGeneration as { sql: string; ok: boolean }[])
        .filter((o) => !o.ok)
        .map((o) => o.sql);
      assert.deepEqual(
        refused,
        flavour === 'mysql-9.7'
          ? [
              'SHOW SLAVE STATUS',
              'SHOW MASTER STATUS',
              "CHANGE MASTER TO MASTER_HOST='x'",
              "CREATE USER fx_native@localhost IDENTIFIED WITH mysql_native_password BY 'x'",
            ]
          : ['SHOW BINARY LOG STATUS'],
      );
    });
    it(`${flavour}: a replication password with an emoji is stored as '?' (why the builders refuse one)`, () => {
      const s = c.replicationPasswordStorage;
      assert.equal(s.utf8Hex, '7077F09F9880');
      assert.equal(s.storedHex, '70773F');
    });
  }
});

describe('mysql dialect: what the real servers take where a password goes', () => {
  for (const flavour of ['mysql-9.7', 'mariadb-10.11']) {
    const c = JSON.parse(
      fs.readFileSync(fixture('mysql', `${flavour}-literal-positions.json`), 'utf8'),
    );
    it(`${flavour}: only a quoted literal, no hex literal, introducer, concatenation or expression`, () => {
      assert.equal(c.notLiterals.length, 7);
      for (const probe of c.notLiterals) {
        assert.equal(probe.ok, false, probe.sql);
        assert.match(probe.output, /ERROR 1064/, probe.sql);
      }
    });
    it(`${flavour}: the replication password limits the builders enforce`, () => {
      const taken = Object.fromEntries(
        (c.replicationPasswords as { what: string; ok: boolean }[]).map((p) => [p.what, p.ok]),
      );
      const d = dialectFor(parseServerVersion(c.server));
      const build = (password: string) => () => d.changeSource({ host: 'h', user: 'u', password });
      const cases: [string, string][] = [
        ['a line break', 'a\nb'],
        ['32 bytes', 'x'.repeat(32)],
        ['33 bytes', 'x'.repeat(33)],
        ['10 euro signs, 30 bytes', '€'.repeat(10)],
        ['11 euro signs, 33 bytes', '€'.repeat(11)],
        ['96 bytes', 'x'.repeat(96)],
        ['97 bytes', 'x'.repeat(97)],
        ['32 euro signs, 96 bytes', '€'.repeat(32)],
        ['33 euro signs, 99 bytes', '€'.repeat(33)],
      ];
      for (const [what, password] of cases) {
        assert.equal(typeof taken[what], 'boolean', what);
        // What the server refuses, the builder refuses. MariaDB takes a line
        // break, but master.info cannot keep one: the builder refuses it too.
        if (!taken[what] || what === 'a line break') {
          assert.throws(build(password), SqlValueError, what);
        } else {
          assert.doesNotThrow(build(password), what);
        }
      }
      assert.equal(taken['a line break'], flavour === 'mariadb-10.11');
    });
  }
});

describe('mysql dialect: secrets', () => {
  const password = "s3cr'et\\pw";
  const builders: [string, (d: Dialect) => { sql: string; redacted: string }][] = [
    ['changeSource', (d) => d.changeSource({ host: 'h', user: 'u', password })],
    ['createUser', (d) => d.createUser({ user: 'u', host: 'h', password })],
    ['alterUserPassword', (d) => d.alterUserPassword({ user: 'u', host: 'h', password })],
  ];
  for (const [name, build] of builders) {
    for (const d of [mysql97, mysql80, mariadb]) {
      it(`${name} on ${d.version.raw}: redacted masks the password and nothing else`, () => {
        const { sql, redacted } = build(d);
        assert.ok(sql.includes("'s3cr''et\\\\pw'"), sql);
        assert.ok(!redacted.includes('s3cr'), redacted);
        assert.equal(redacted, sql.replace("'s3cr''et\\\\pw'", "'********'"));
      });
    }
  }

  it('a password equal to the user name masks only the password', () => {
    const { redacted } = mysql97.createUser({ user: 'repl', host: '%', password: 'repl' });
    assert.equal(
      redacted,
      "CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED WITH caching_sha2_password BY '********'",
    );
  });
});

describe('mysql dialect: changeSource', () => {
  const base = { host: 'db1', port: 3307, user: 'repl', password: 'pw' };

  it('MySQL 9.7, each TLS choice', () => {
    const head =
      "CHANGE REPLICATION SOURCE TO SOURCE_HOST='db1', SOURCE_PORT=3307, SOURCE_USER='repl', SOURCE_PASSWORD='pw', SOURCE_AUTO_POSITION=1";
    assert.equal(mysql97.changeSource(base).sql, `${head}, GET_SOURCE_PUBLIC_KEY=1`);
    assert.equal(
      mysql97.changeSource({ ...base, tls: false }).sql,
      `${head}, SOURCE_SSL=0, SOURCE_SSL_CA='', SOURCE_SSL_VERIFY_SERVER_CERT=0, GET_SOURCE_PUBLIC_KEY=1`,
    );
    assert.equal(
      mysql97.changeSource({ ...base, tls: {} }).sql,
      `${head}, SOURCE_SSL=1, SOURCE_SSL_CA='', SOURCE_SSL_VERIFY_SERVER_CERT=0`,
    );
    assert.equal(
      mysql97.changeSource({ ...base, tls: { ca: '/etc/mysql/ca.pem' } }).sql,
      `${head}, SOURCE_SSL=1, SOURCE_SSL_CA='/etc/mysql/ca.pem', SOURCE_SSL_VERIFY_SERVER_CERT=1`,
    );
  });

  it('MySQL 8.0.22 and 5.7 say MASTER; 5.7 asks for no public key', () => {
    assert.equal(
      mysql80.changeSource({ ...base, tls: { ca: '/ca.pem' } }).sql,
      "CHANGE MASTER TO MASTER_HOST='db1', MASTER_PORT=3307, MASTER_USER='repl', MASTER_PASSWORD='pw', MASTER_AUTO_POSITION=1, MASTER_SSL=1, MASTER_SSL_CA='/ca.pem', MASTER_SSL_VERIFY_SERVER_CERT=1",
    );
    assert.equal(
      dialectFor(parseServerVersion('5.7.44')).changeSource(base).sql,
      "CHANGE MASTER TO MASTER_HOST='db1', MASTER_PORT=3307, MASTER_USER='repl', MASTER_PASSWORD='pw', MASTER_AUTO_POSITION=1",
    );
  });

  it('MariaDB, each TLS choice', () => {
    const head =
      "CHANGE MASTER TO MASTER_HOST='db1', MASTER_PORT=3307, MASTER_USER='repl', MASTER_PASSWORD='pw', MASTER_USE_GTID=slave_pos";
    assert.equal(mariadb.changeSource(base).sql, head);
    assert.equal(
      mariadb.changeSource({ ...base, tls: false }).sql,
      `${head}, MASTER_SSL=0, MASTER_SSL_CA='', MASTER_SSL_VERIFY_SERVER_CERT=0`,
    );
    assert.equal(
      mariadb.changeSource({ ...base, tls: { ca: '/ca.pem' } }).sql,
      `${head}, MASTER_SSL=1, MASTER_SSL_CA='/ca.pem', MASTER_SSL_VERIFY_SERVER_CERT=1`,
    );
  });

  it('the port defaults to 3306 and must be a TCP port', () => {
    assert.match(mysql97.changeSource({ ...base, port: undefined }).sql, /SOURCE_PORT=3306,/);
    for (const port of [0, 65536, 3.5, NaN]) {
      assert.throws(() => mysql97.changeSource({ ...base, port }), SqlValueError);
    }
  });

  it('refuses what the servers cannot keep: line breaks, emoji, long passwords', () => {
    for (const d of [mysql97, mariadb]) {
      assert.throws(() => d.changeSource({ ...base, password: 'a\nb' }), /line break/);
      assert.throws(() => d.changeSource({ ...base, host: 'a\rb' }), /line break/);
      assert.throws(
        () => d.changeSource({ ...base, password: 'pw😀' }),
        /Basic Multilingual Plane/,
      );
      assert.throws(() => d.changeSource({ ...base, user: '😀' }), /Basic Multilingual Plane/);
    }
    // MySQL: 32 bytes of UTF-8 (10 euro signs pass, 11 do not), MariaDB: 96.
    assert.doesNotThrow(() => mysql97.changeSource({ ...base, password: 'x'.repeat(32) }));
    assert.doesNotThrow(() => mysql97.changeSource({ ...base, password: '€'.repeat(10) }));
    assert.throws(
      () => mysql97.changeSource({ ...base, password: 'x'.repeat(33) }),
      /at most 32 bytes/,
    );
    assert.throws(
      () => mysql97.changeSource({ ...base, password: '€'.repeat(11) }),
      /at most 32 bytes/,
    );
    assert.doesNotThrow(() => mariadb.changeSource({ ...base, password: 'x'.repeat(96) }));
    assert.doesNotThrow(() => mariadb.changeSource({ ...base, password: '€'.repeat(32) }));
    assert.throws(
      () => mariadb.changeSource({ ...base, password: 'x'.repeat(97) }),
      /at most 96 bytes/,
    );
    assert.throws(
      () => mariadb.changeSource({ ...base, password: '€'.repeat(33) }),
      /at most 96 bytes/,
    );
  });

  it('CREATE USER takes what CHANGE cannot: line breaks and emoji in passwords', () => {
    assert.equal(
      mysql97.createUser({ user: 'u', host: '%', password: 'a\nb😀' }).sql,
      "CREATE USER IF NOT EXISTS 'u'@'%' IDENTIFIED WITH caching_sha2_password BY 'a\\nb😀'",
    );
  });
});

describe('mysql dialect: read-only, users, grants, databases', () => {
  it('read-only: MySQL sets super_read_only last when on and first when off', () => {
    assert.deepEqual(mysql97.readOnly(true), [
      'SET GLOBAL read_only=ON',
      'SET GLOBAL super_read_only=ON',
    ]);
    assert.deepEqual(mysql97.readOnly(false), [
      'SET GLOBAL super_read_only=OFF',
      'SET GLOBAL read_only=OFF',
    ]);
    assert.deepEqual(mariadb.readOnly(true), ['SET GLOBAL read_only=ON']);
    assert.deepEqual(mariadb.readOnly(false), ['SET GLOBAL read_only=OFF']);
  });

  it('users: REQUIRE SSL on request; ALTER USER can also lift it', () => {
    const u = { user: 'app', host: '10.0.0.%', password: 'pw' };
    assert.equal(
      mysql97.createUser({ ...u, requireSsl: true }).sql,
      "CREATE USER IF NOT EXISTS 'app'@'10.0.0.%' IDENTIFIED WITH caching_sha2_password BY 'pw' REQUIRE SSL",
    );
    assert.equal(
      mariadb.createUser({ ...u, requireSsl: true }).sql,
      "CREATE USER IF NOT EXISTS 'app'@'10.0.0.%' IDENTIFIED BY 'pw' REQUIRE SSL",
    );
    assert.equal(
      mysql97.alterUserPassword(u).sql,
      "ALTER USER 'app'@'10.0.0.%' IDENTIFIED WITH caching_sha2_password BY 'pw'",
    );
    assert.equal(
      mariadb.alterUserPassword({ ...u, requireSsl: false }).sql,
      "ALTER USER 'app'@'10.0.0.%' IDENTIFIED BY 'pw' REQUIRE NONE",
    );
    assert.equal(
      dialectFor(parseServerVersion('5.7.44')).alterUserPassword({ ...u, requireSsl: true }).sql,
      "ALTER USER 'app'@'10.0.0.%' IDENTIFIED WITH mysql_native_password BY 'pw' REQUIRE SSL",
    );
  });

  it('grants and databases quote every name', () => {
    for (const d of [mysql97, mariadb]) {
      assert.equal(
        d.grantReplication('repl', '10.0.0.13'),
        "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'10.0.0.13'",
      );
      assert.equal(
        d.grantAllOnDatabase('we`ird', "o'brien", '%'),
        "GRANT ALL PRIVILEGES ON `we``ird`.* TO 'o''brien'@'%'",
      );
      assert.equal(
        d.createDatabase('app'),
        'CREATE DATABASE IF NOT EXISTS `app` CHARACTER SET utf8mb4',
      );
      assert.equal(
        d.createDatabase('app', 'utf8mb4', 'utf8mb4_0900_ai_ci'),
        'CREATE DATABASE IF NOT EXISTS `app` CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci',
      );
      assert.throws(() => d.createDatabase('app', 'utf8mb4; DROP'), SqlValueError);
      assert.throws(() => d.createDatabase('app', 'utf8mb4', "x' OR"), SqlValueError);
    }
  });

  it('MySQL before 5.7.8 has no super_read_only: the identity query reads it as 0', () => {
    assert.match(
      dialectFor(parseServerVersion('5.7.7')).identityQuery(),
      /@@GLOBAL\.read_only, 0, @@GLOBAL\.log_bin/,
    );
  });

  it('the identity query names the variables of each flavour', () => {
    assert.equal(
      mysql97.identityQuery(),
      'SELECT @@GLOBAL.server_id, @@GLOBAL.server_uuid, @@hostname, @@GLOBAL.read_only, @@GLOBAL.super_read_only, @@GLOBAL.log_bin, @@GLOBAL.gtid_mode, @@GLOBAL.enforce_gtid_consistency, @@GLOBAL.gtid_executed',
    );
    assert.equal(
      mariadb.identityQuery(),
      'SELECT @@GLOBAL.server_id, @@GLOBAL.gtid_domain_id, @@hostname, @@GLOBAL.read_only, @@GLOBAL.log_bin, @@GLOBAL.gtid_strict_mode, @@GLOBAL.gtid_binlog_pos, @@GLOBAL.gtid_slave_pos, @@GLOBAL.gtid_current_pos, @@GLOBAL.gtid_binlog_state',
    );
  });
});
