import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import {
  grantsCover,
  isReplicating,
  parseBatch,
  parseBatchWithNames,
  parseGrants,
  parseIdentity,
  parseReplicaStatus,
  parseVertical,
  showGrantsQuery,
} from '../../src/mysql';
import { fixture } from '../support/cli';

interface Case {
  command: string;
  output: string;
  expected: unknown;
}

/** Every fixture of one kind, recorded from the lab's MySQL 9.7 and MariaDB 10.11 servers. */
function cases(pattern: RegExp): [string, Case][] {
  const dir = fixture('mysql');
  return fs
    .readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8'))]);
}

describe('mysql parseReplicaStatus: {command, output} → status, from real servers', () => {
  const all = cases(/-(replica|slave)-status-.*\.json$/);
  it('has the cases the replication module meets', () => {
    const names = all.map(([n]) => n);
    for (const want of [
      'mysql-9.7-replica-status-never-configured',
      'mysql-9.7-replica-status-running',
      'mysql-9.7-replica-status-stopped',
      'mysql-9.7-replica-status-io-error',
      'mysql-9.7-replica-status-sql-error',
      'mysql-9.7-replica-status-after-reset',
      'mysql-9.7-replica-status-tls',
      'mysql-9.7-replica-status-tls-verify-error',
      'mariadb-10.11-replica-status-never-configured',
      'mariadb-10.11-replica-status-running',
      'mariadb-10.11-slave-status-running',
      'mariadb-10.11-replica-status-stopped',
      'mariadb-10.11-replica-status-io-error',
      'mariadb-10.11-replica-status-sql-error',
    ]) {
      assert.ok(names.includes(want), want);
    }
  });
  for (const [name, c] of all) {
    it(name, () => {
      assert.match(c.command, /^mysql --vertical -e 'SHOW (REPLICA|SLAVE) STATUS'$/);
      const status = parseReplicaStatus(c.output);
      if (status) {
        const { fields, ...rest } = status;
        assert.ok(Object.keys(fields).length > 40, 'every field is kept in fields');
        assert.deepEqual(rest, c.expected);
      } else {
        assert.equal(c.expected, null);
      }
    });
  }

  it('healthy only when both threads run', () => {
    const byName = Object.fromEntries(all);
    const healthy = (n: string) => isReplicating(parseReplicaStatus(byName[n]!.output));
    assert.equal(healthy('mysql-9.7-replica-status-running'), true);
    assert.equal(healthy('mariadb-10.11-replica-status-running'), true);
    assert.equal(healthy('mysql-9.7-replica-status-io-error'), false);
    assert.equal(healthy('mariadb-10.11-replica-status-sql-error'), false);
    assert.equal(healthy('mysql-9.7-replica-status-never-configured'), false);
  });

  it('SHOW SLAVE STATUS and SHOW REPLICA STATUS read alike on MariaDB', () => {
    const byName = Object.fromEntries(all);
    assert.deepEqual(
      byName['mariadb-10.11-slave-status-running']!.expected,
      byName['mariadb-10.11-replica-status-running']!.expected,
    );
  });

  it('reads the MySQL 5.7 / 8.0.21 names (Master_Host, Slave_IO_Running, Seconds_Behind_Master)', () => {
    const output = [
      '*************************** 1. row ***************************',
      '               Slave_IO_State: Waiting for master to send event',
      '                  Master_Host: 10.0.0.12',
      '                  Master_User: repl',
      '                  Master_Port: 3306',
      '             Slave_IO_Running: Yes',
      '            Slave_SQL_Running: Yes',
      '        Seconds_Behind_Master: 7',
      '                Last_IO_Errno: 0',
      '                Last_IO_Error: ',
      '               Last_SQL_Errno: 0',
      '               Last_SQL_Error: ',
      '           Master_SSL_Allowed: No',
      '           Retrieved_Gtid_Set: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5',
      '            Executed_Gtid_Set: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,',
      '4ed4b5a8-71ca-11e1-9e33-c80aa9429562:1-2',
      '                Auto_Position: 1',
      '                 Channel_Name: ',
      '',
    ].join('\n');
    const { fields, ...status } = parseReplicaStatus(output)!;
    assert.equal(fields.Channel_Name, '');
    assert.deepEqual(status, {
      sourceHost: '10.0.0.12',
      sourcePort: 3306,
      sourceUser: 'repl',
      ioRunning: 'Yes',
      sqlRunning: 'Yes',
      ioState: 'Waiting for master to send event',
      autoPosition: true,
      lastIoErrno: 0,
      lastIoError: '',
      lastSqlErrno: 0,
      lastSqlError: '',
      secondsBehind: 7,
      retrievedGtidSet: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5',
      executedGtidSet:
        '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,4ed4b5a8-71ca-11e1-9e33-c80aa9429562:1-2',
      sslAllowed: false,
    });
  });

  it('MariaDB Using_Gtid: Slave_Pos and Current_Pos are GTID positioning, No is not', () => {
    const row = (using: string) =>
      `*************************** 1. row ***************************\n  Master_Host: h\n   Using_Gtid: ${using}\n`;
    assert.equal(parseReplicaStatus(row('Slave_Pos'))!.autoPosition, true);
    assert.equal(parseReplicaStatus(row('Current_Pos'))!.autoPosition, true);
    assert.equal(parseReplicaStatus(row('No'))!.autoPosition, false);
  });

  it('picks the default channel among several', () => {
    const output = [
      '*************************** 1. row ***************************',
      ' Source_Host: other',
      'Channel_Name: extra',
      '*************************** 2. row ***************************',
      ' Source_Host: main',
      'Channel_Name: ',
    ].join('\n');
    assert.equal(parseReplicaStatus(output)!.sourceHost, 'main');
  });
});

describe('mysql parseVertical and parseBatch', () => {
  it('vertical: names are right-aligned; a line without a name there continues the value', () => {
    const output = [
      '*************************** 1. row ***************************',
      '     Short: a',
      'Longername: first line',
      'second: line that looks like a field',
      '',
      'after a blank line',
      '     Empty: ',
      '      Null: NULL',
      '*************************** 2. row ***************************',
      'x: 1',
      '',
    ].join('\n');
    assert.deepEqual(parseVertical(output), [
      {
        Short: 'a',
        Longername: 'first line\nsecond: line that looks like a field\n\nafter a blank line',
        Empty: '',
        Null: null,
      },
      { x: '1' },
    ]);
  });

  it('vertical: empty output is no row', () => {
    assert.deepEqual(parseVertical(''), []);
    assert.deepEqual(parseVertical('\n'), []);
  });

  it('batch: tabs split fields, the client escapes are decoded, NULL is null', () => {
    const output = 'a\\tb\tline\\nbreak\tback\\\\slash\tnul\\0x\tNULL\t\n2nd\t\t\t\t\t\n';
    assert.deepEqual(parseBatch(output), [
      ['a\tb', 'line\nbreak', 'back\\slash', 'nul\0x', null, ''],
      ['2nd', '', '', '', '', ''],
    ]);
    assert.deepEqual(parseBatch(''), []);
    assert.deepEqual(parseBatch('\n'), []);
    // An escaped backslash before an n is a backslash and an n, not a newline.
    assert.deepEqual(parseBatch('\\\\n\n'), [['\\n']]);
  });

  it('batch with column names: rows as records', () => {
    assert.deepEqual(parseBatchWithNames('File\tPosition\nmysql-bin.000001\t157\n'), [
      { File: 'mysql-bin.000001', Position: '157' },
    ]);
    assert.deepEqual(parseBatchWithNames(''), []);
  });
});

describe('mysql parseGrants: SHOW GRANTS lines → normalised grants', () => {
  for (const [name, c] of cases(/-grants-.*\.json$/)) {
    it(`${name} (real server)`, () => {
      const lines = parseBatch(c.output).map((row) => row[0] ?? '');
      assert.deepEqual(parseGrants(lines), c.expected);
    });
  }

  it('reads both quotings, several privileges, tables, columns, options', () => {
    assert.deepEqual(
      parseGrants([
        'GRANT SELECT, insert, Update ON `shop`.* TO `app`@`10.0.0.%`',
        "GRANT RELOAD, REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO 'repl'@'%' IDENTIFIED BY PASSWORD '*ABC' REQUIRE SSL",
        'GRANT SELECT (`id`, `Name`), UPDATE (`Name`) ON `shop`.`users` TO `app`@`%`',
        'GRANT ALL PRIVILEGES ON `we``ird.db`.* TO `x`@`%` WITH GRANT OPTION',
        'GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `app`@`%`',
        'GRANT REPLICATION REPLICA ON *.* TO `r`@`%`',
        'GRANT `reader`@`%` TO `app`@`%`',
        "GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION",
        'not a grant',
      ]),
      [
        { privileges: ['INSERT', 'SELECT', 'UPDATE'], on: 'shop.*' },
        {
          privileges: ['RELOAD', 'REPLICATION CLIENT', 'REPLICATION SLAVE'],
          on: '*.*',
          requireSsl: true,
        },
        { privileges: ['SELECT (`id`, `Name`)', 'UPDATE (`Name`)'], on: 'shop.users' },
        { privileges: ['ALL PRIVILEGES'], on: 'we`ird.db.*', grantOption: true },
        { privileges: ['EXECUTE'], on: 'PROCEDURE shop.p' },
        { privileges: ['REPLICATION SLAVE'], on: '*.*' },
        { privileges: ['PROXY'], on: "''@'%'", grantOption: true },
      ],
    );
  });

  it('grantsCover: what is granted covers what is wanted', () => {
    const real = parseGrants([
      'GRANT USAGE ON *.* TO `app`@`%`',
      'GRANT ALL PRIVILEGES ON `app`.* TO `app`@`%`',
      'GRANT REPLICATION SLAVE ON *.* TO `repl`@`%`',
    ]);
    assert.equal(grantsCover(real, { privileges: ['ALL PRIVILEGES'], on: 'app.*' }), true);
    assert.equal(grantsCover(real, { privileges: ['select', 'INSERT'], on: 'app.*' }), true);
    assert.equal(grantsCover(real, { privileges: ['SELECT'], on: 'other.*' }), false);
    assert.equal(grantsCover(real, { privileges: ['REPLICATION REPLICA'], on: '*.*' }), true);
    assert.equal(grantsCover(real, { privileges: ['REPLICATION SLAVE'], on: 'other.*' }), true);
    assert.equal(grantsCover(real, { privileges: ['GRANT OPTION'], on: 'app.*' }), false);
    assert.equal(grantsCover([], { privileges: ['USAGE'], on: '*.*' }), false);
  });

  it('the SHOW GRANTS query quotes the account', () => {
    assert.equal(showGrantsQuery("o'brien", '10.0.0.%'), "SHOW GRANTS FOR 'o''brien'@'10.0.0.%'");
  });
});

describe('mysql parseIdentity: who the server is', () => {
  for (const [name, c] of cases(/-identity-.*\.json$/)) {
    it(`${name} (real server)`, () => {
      assert.deepEqual(
        parseIdentity(name.startsWith('mariadb') ? 'mariadb' : 'mysql', c.output),
        c.expected,
      );
    });
  }

  it('refuses output of the wrong shape', () => {
    assert.throws(() => parseIdentity('mysql', ''), /expected one row of 9 columns/);
    assert.throws(() => parseIdentity('mariadb', '1\t2\n'), /expected one row of 10 columns/);
    assert.throws(
      () => parseIdentity('mariadb', 'x\t0\th\t0\t1\t1\t\t\t\t\n'),
      /server_id is not a number/,
    );
  });
});
