import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import {
  atLeast,
  dialectFor,
  parseServerVersion,
  parseVersionOutput,
  UnsupportedServerVersion,
  type ServerVersion,
} from '../../src/mysql';
import { fixture } from '../support/cli';

describe('mysql version: VERSION() and @@version_comment → flavour and numbers', () => {
  const cases: [string, string, Omit<ServerVersion, 'raw'>][] = [
    ['9.7.4', 'MySQL Community Server - GPL', { flavor: 'mysql', major: 9, minor: 7, patch: 4 }],
    ['9.7.4-2', '(Debian)', { flavor: 'mysql', major: 9, minor: 7, patch: 4 }],
    ['8.0.36-0ubuntu0.22.04.1', '(Ubuntu)', { flavor: 'mysql', major: 8, minor: 0, patch: 36 }],
    [
      '5.7.44-log',
      'MySQL Community Server (GPL)',
      { flavor: 'mysql', major: 5, minor: 7, patch: 44 },
    ],
    [
      '8.0.35-27',
      'Percona Server (GPL), Release 27',
      { flavor: 'mysql', major: 8, minor: 0, patch: 35 },
    ],
    [
      '10.11.6-MariaDB-0+deb12u1',
      'Debian 12',
      { flavor: 'mariadb', major: 10, minor: 11, patch: 6 },
    ],
    [
      '10.11.18-MariaDB-0+deb12u1-log',
      'Debian 12',
      { flavor: 'mariadb', major: 10, minor: 11, patch: 18 },
    ],
    [
      '5.5.5-10.6.16-MariaDB',
      'mariadb.org binary distribution',
      { flavor: 'mariadb', major: 10, minor: 6, patch: 16 },
    ],
    ['11.4.2', 'MariaDB Server', { flavor: 'mariadb', major: 11, minor: 4, patch: 2 }],
    ['10.3', '', { flavor: 'mysql', major: 10, minor: 3, patch: 0 }],
  ];
  for (const [version, comment, expected] of cases) {
    it(`${version} (${comment || 'no comment'})`, () => {
      assert.deepEqual(parseServerVersion(version, comment), { ...expected, raw: version });
    });
  }

  const unsupported: [string, string, RegExp][] = [
    [
      '5.6.51-log',
      '',
      /MySQL 5\.6\.51 \(5\.6\.51-log\) is not supported: the minimum is MySQL 5\.7/,
    ],
    ['5.5.62', '', /the minimum is MySQL 5\.7/],
    ['10.2.44-MariaDB', '', /MariaDB 10\.2\.44 .* is not supported: the minimum is MariaDB 10\.3/],
    ['5.5.68-MariaDB', 'MariaDB Server', /the minimum is MariaDB 10\.3/],
    ['', '', /cannot read a server version from VERSION\(\) = ""/],
    ['banana', '', /cannot read a server version/],
  ];
  for (const [version, comment, message] of unsupported) {
    it(`${JSON.stringify(version)} is refused with a clear message`, () => {
      assert.throws(
        () => parseServerVersion(version, comment),
        (e: unknown) =>
          e instanceof UnsupportedServerVersion &&
          e instanceof Error &&
          e.version === version &&
          message.test(e.message),
      );
    });
  }

  it('atLeast compares major, then minor, then patch', () => {
    const v = parseServerVersion('8.0.22');
    assert.equal(atLeast(v, 8, 0, 22), true);
    assert.equal(atLeast(v, 8, 0, 23), false);
    assert.equal(atLeast(v, 8, 0), true);
    assert.equal(atLeast(v, 8, 1), false);
    assert.equal(atLeast(v, 5, 7, 99), true);
    assert.equal(atLeast(v, 9), false);
  });

  for (const flavour of ['mysql-9.7', 'mariadb-10.11']) {
    it(`reads the real ${flavour} server's answer (fixture)`, () => {
      const c = JSON.parse(fs.readFileSync(fixture('mysql', `${flavour}-version.json`), 'utf8'));
      assert.deepEqual(parseVersionOutput(c.output), c.expected);
    });
  }
});

/** The statements each version gets: one row a version, as the brief's threshold table. */
describe('mysql dialect thresholds: the statements each version gets', () => {
  interface Row {
    version: string;
    change: string;
    publicKey: string | undefined;
    start: string;
    stop: string;
    reset: string;
    status: string;
    binlog: string;
    readOnlyOn: string[];
    plugin: string | undefined;
  }
  const MYSQL_RO = ['SET GLOBAL read_only=ON', 'SET GLOBAL super_read_only=ON'];
  const MARIADB_RO = ['SET GLOBAL read_only=ON'];
  const old = {
    start: 'START SLAVE',
    stop: 'STOP SLAVE',
    reset: 'RESET SLAVE ALL',
    status: 'SHOW SLAVE STATUS',
  };
  const neu = {
    start: 'START REPLICA',
    stop: 'STOP REPLICA',
    reset: 'RESET REPLICA ALL',
    status: 'SHOW REPLICA STATUS',
  };
  const rows: Row[] = [
    {
      version: '5.7.44',
      change: 'CHANGE MASTER TO',
      publicKey: undefined,
      ...old,
      binlog: 'SHOW MASTER STATUS',
      readOnlyOn: MYSQL_RO,
      plugin: 'mysql_native_password',
    },
    {
      version: '5.7.7',
      change: 'CHANGE MASTER TO',
      publicKey: undefined,
      ...old,
      binlog: 'SHOW MASTER STATUS',
      readOnlyOn: ['SET GLOBAL read_only=ON'],
      plugin: 'mysql_native_password',
    },
    {
      version: '8.0.21',
      change: 'CHANGE MASTER TO',
      publicKey: 'GET_MASTER_PUBLIC_KEY=1',
      ...old,
      binlog: 'SHOW MASTER STATUS',
      readOnlyOn: MYSQL_RO,
      plugin: 'caching_sha2_password',
    },
    {
      version: '8.0.22',
      change: 'CHANGE MASTER TO',
      publicKey: 'GET_MASTER_PUBLIC_KEY=1',
      ...neu,
      binlog: 'SHOW MASTER STATUS',
      readOnlyOn: MYSQL_RO,
      plugin: 'caching_sha2_password',
    },
    {
      version: '8.0.23',
      change: 'CHANGE REPLICATION SOURCE TO',
      publicKey: 'GET_SOURCE_PUBLIC_KEY=1',
      ...neu,
      binlog: 'SHOW MASTER STATUS',
      readOnlyOn: MYSQL_RO,
      plugin: 'caching_sha2_password',
    },
    {
      version: '8.1.0',
      change: 'CHANGE REPLICATION SOURCE TO',
      publicKey: 'GET_SOURCE_PUBLIC_KEY=1',
      ...neu,
      binlog: 'SHOW MASTER STATUS',
      readOnlyOn: MYSQL_RO,
      plugin: 'caching_sha2_password',
    },
    {
      version: '8.2.0',
      change: 'CHANGE REPLICATION SOURCE TO',
      publicKey: 'GET_SOURCE_PUBLIC_KEY=1',
      ...neu,
      binlog: 'SHOW BINARY LOG STATUS',
      readOnlyOn: MYSQL_RO,
      plugin: 'caching_sha2_password',
    },
    {
      version: '9.7.4',
      change: 'CHANGE REPLICATION SOURCE TO',
      publicKey: 'GET_SOURCE_PUBLIC_KEY=1',
      ...neu,
      binlog: 'SHOW BINARY LOG STATUS',
      readOnlyOn: MYSQL_RO,
      plugin: 'caching_sha2_password',
    },
    {
      version: '10.3.39-MariaDB',
      change: 'CHANGE MASTER TO',
      publicKey: undefined,
      ...old,
      binlog: 'SHOW MASTER STATUS',
      readOnlyOn: MARIADB_RO,
      plugin: undefined,
    },
    {
      version: '10.5.0-MariaDB',
      change: 'CHANGE MASTER TO',
      publicKey: undefined,
      ...old,
      binlog: 'SHOW MASTER STATUS',
      readOnlyOn: MARIADB_RO,
      plugin: undefined,
    },
    {
      version: '10.5.1-MariaDB',
      change: 'CHANGE MASTER TO',
      publicKey: undefined,
      ...neu,
      binlog: 'SHOW MASTER STATUS',
      readOnlyOn: MARIADB_RO,
      plugin: undefined,
    },
    {
      version: '10.5.2-MariaDB',
      change: 'CHANGE MASTER TO',
      publicKey: undefined,
      ...neu,
      binlog: 'SHOW BINLOG STATUS',
      readOnlyOn: MARIADB_RO,
      plugin: undefined,
    },
    {
      version: '10.11.6-MariaDB-0+deb12u1',
      change: 'CHANGE MASTER TO',
      publicKey: undefined,
      ...neu,
      binlog: 'SHOW BINLOG STATUS',
      readOnlyOn: MARIADB_RO,
      plugin: undefined,
    },
  ];
  const source = { host: '10.0.0.12', user: 'repl', password: 'pw' };

  for (const row of rows) {
    it(row.version, () => {
      const d = dialectFor(parseServerVersion(row.version));
      const change = d.changeSource(source).sql;
      assert.ok(change.startsWith(`${row.change} `), change);
      const options = change.slice(row.change.length + 1).split(', ');
      const prefix = row.change === 'CHANGE REPLICATION SOURCE TO' ? 'SOURCE' : 'MASTER';
      assert.equal(options[0], `${prefix}_HOST='10.0.0.12'`);
      assert.ok(options.includes(`${prefix}_PORT=3306`));
      assert.ok(options.includes(`${prefix}_USER='repl'`));
      assert.ok(options.includes(`${prefix}_PASSWORD='pw'`));
      const gtid =
        d.version.flavor === 'mariadb' ? 'MASTER_USE_GTID=slave_pos' : `${prefix}_AUTO_POSITION=1`;
      assert.ok(options.includes(gtid), change);
      assert.equal(
        options.find((o) => /PUBLIC_KEY/.test(o)),
        row.publicKey,
        `public key option of ${change}`,
      );
      assert.deepEqual(
        [d.startReplica(), d.stopReplica(), d.resetReplicaAll(), d.showReplicaStatus()],
        [row.start, row.stop, row.reset, row.status],
      );
      assert.equal(d.showBinaryLogStatus(), row.binlog);
      assert.deepEqual(d.readOnly(true), row.readOnlyOn);
      const create = d.createUser({ user: 'u', host: 'h', password: 'pw' }).sql;
      assert.equal(
        create,
        row.plugin === undefined
          ? "CREATE USER IF NOT EXISTS 'u'@'h' IDENTIFIED BY 'pw'"
          : `CREATE USER IF NOT EXISTS 'u'@'h' IDENTIFIED WITH ${row.plugin} BY 'pw'`,
      );
    });
  }

  it('5.6 and MariaDB 10.2 get no dialect: the version is refused first', () => {
    assert.throws(() => dialectFor(parseServerVersion('5.6.51')), UnsupportedServerVersion);
    assert.throws(
      () => dialectFor(parseServerVersion('10.2.44-MariaDB')),
      UnsupportedServerVersion,
    );
  });
});
