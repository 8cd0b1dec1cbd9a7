import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT } from '../support/cli';
import { e2eFlavors, type E2eLab, useE2eLab } from '../support/lab';

/** Issue 5 on real servers: MySQL 9 (sid) and MariaDB 11.8 (trixie). */
for (const flavor of e2eFlavors()) {
  describe(`e2e: primary → replica replication (${flavor})`, function () {
    // Real hosts: package installs and database start-up take many seconds.
    this.timeout(10 * 60_000);
    let lab: E2eLab;
    let secretFile: string;
    let originalSecret: string;

    const apply = () => {
      const r = spawnSync(
        process.execPath,
        [BIN, 'apply', '-i', lab.inventoryPath, '--tags', 'database'],
        {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 15 * 60_000,
        },
      );
      return { code: r.status, out: r.stdout + r.stderr };
    };
    const changed = (out: string, host: string) =>
      Number(new RegExp(`^${host}\\s+: ok=\\d+ changed=(\\d+)`, 'm').exec(out)?.[1]);
    const sql = async (host: string, query: string) => {
      const r = await lab.ssh(
        host,
        `sudo mysql --batch --skip-column-names -e ${JSON.stringify(query)}`,
      );
      return { code: r.code, out: r.stdout.trim(), err: r.stderr.trim() };
    };
    const status = async () =>
      (await lab.ssh('web-02', "sudo mysql --vertical -e 'SHOW REPLICA STATUS'")).stdout;
    const running = (s: string) =>
      /(Replica|Slave)_IO_Running: Yes/.test(s) && /(Replica|Slave)_SQL_Running: Yes/.test(s);
    const until = async (what: string, seconds: number, check: () => Promise<boolean>) => {
      for (let i = 0; i < seconds * 4; i++) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.fail(`${what} within ${seconds} s`);
    };

    /** Waits until the replica reads row `id` of foobar.t with value `v`. */
    const replicaReads = (what: string, seconds: number, id: number, v: string) =>
      until(
        what,
        seconds,
        async () => (await sql('web-02', `SELECT v FROM foobar.t WHERE id=${id}`)).out === v,
      );

    before(async function () {
      // The site as its first apply on bare hosts left it (the site suite's
      // checkpoint): that apply set the pair up; test 7 sets up a replica on
      // a bare host again, with only the database plays.
      lab = await useE2eLab(this, flavor);
      await lab.resetToSite();
      secretFile = fs
        .readFileSync(lab.inventoryPath, 'utf8')
        .match(/mysql_replication_password: \{ file: (\S+) \}/)![1]!;
      originalSecret = fs.readFileSync(secretFile, 'utf8');
    });
    after(() => {
      if (secretFile) fs.writeFileSync(secretFile, originalSecret, { mode: 0o600 });
    });

    it('1. the first apply on a fresh pair left a running replica with GTID auto-positioning, and a replication account with one grant', async () => {
      const s = await status();
      assert.ok(running(s), s);
      assert.match(s, flavor === 'mysql' ? /Auto_Position: 1/ : /Using_Gtid: Slave_Pos/);
      const grants = await sql(
        'web-01',
        "SHOW GRANTS FOR 'repl'@'" + lab.host('web-02').address + "'",
      );
      assert.match(
        grants.out,
        /GRANT REPLICATION SLAVE ON \*\.\* TO [`']repl[`']@[`']10\.231\.\d+\.\d+[`']/,
      );
      assert.doesNotMatch(grants.out, /GRANT (ALL|SELECT|SUPER)/, 'only REPLICATION SLAVE');
      assert.equal(
        (await sql('web-01', "SELECT COUNT(*) FROM mysql.user WHERE user='repl' AND host='%'")).out,
        '0',
      );
    });

    it('2. a row inserted on the primary is read on the replica within 5 s', async () => {
      await sql(
        'web-01',
        'CREATE TABLE foobar.t (id INT PRIMARY KEY, v VARCHAR(40)); INSERT INTO foobar.t VALUES (1, "one")',
      );
      await replicaReads('the row on the replica', 5, 1, 'one');
    });

    it('3. a second apply changes nothing and runs no CHANGE statement (general log)', async () => {
      await sql(
        'web-02',
        "SET GLOBAL general_log_file='/var/lib/mysql/e2e-general.log'; SET GLOBAL general_log=ON",
      );
      const r = apply();
      await sql('web-02', 'SET GLOBAL general_log=OFF');
      assert.equal(r.code, 0, r.out);
      for (const h of ['web-01', 'web-02']) assert.equal(changed(r.out, h), 0, r.out);
      const log = (await lab.ssh('web-02', 'sudo cat /var/lib/mysql/e2e-general.log')).stdout;
      assert.match(log, /SHOW (REPLICA|SLAVE) STATUS/, 'the module read the state');
      assert.doesNotMatch(
        log,
        /CHANGE (REPLICATION SOURCE|MASTER)|START (REPLICA|SLAVE)|STOP (REPLICA|SLAVE)/,
      );
    });

    it('4. a new replication password is rotated on both sides and replication runs again', async () => {
      fs.writeFileSync(secretFile, `rotated-${Date.now()}-p'w\\"x`, { mode: 0o600 });
      const r = apply();
      assert.equal(r.code, 0, r.out);
      assert.match(
        r.out,
        /ALTER USER 'repl'@'[\d.]+' IDENTIFIED (WITH caching_sha2_password )?BY '\*{8}'/,
      );
      assert.match(r.out, /the replication password changed/);
      assert.ok(!r.out.includes('rotated-'), 'the password never shows');
      await until('replication running', 30, async () => running(await status()));
      await sql('web-01', 'INSERT INTO foobar.t VALUES (2, "after rotation")');
      await replicaReads('the new row on the replica', 5, 2, 'after rotation');
      assert.equal(changed(apply().out, 'web-02'), 0);
    });

    it('5. a write on the replica as an admin user is rejected', async () => {
      // MySQL: super_read_only stops even root. MariaDB: read_only stops every account without
      // READ_ONLY ADMIN; a database administrator account is made here to show it.
      const admin = flavor === 'mysql' ? 'sudo mysql' : 'sudo mysql -u e2e_dba';
      if (flavor === 'mariadb') {
        await sql(
          'web-01',
          "CREATE USER IF NOT EXISTS 'e2e_dba'@'localhost'; GRANT ALL PRIVILEGES ON foobar.* TO 'e2e_dba'@'localhost'",
        );
        await until(
          'the account on the replica',
          5,
          async () =>
            (await sql('web-02', "SELECT COUNT(*) FROM mysql.user WHERE user='e2e_dba'")).out ===
            '1',
        );
      }
      const r = await lab.ssh(
        'web-02',
        `${admin} -e 'INSERT INTO foobar.t VALUES (99, "on the replica")'`,
      );
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /ERROR 1290 .*(super-read-only|read-only)/);
    });

    it('5b. a replica stopped on a data error (a row missing here): apply refuses it, naming the error, and restarts nothing; repaired by hand, it catches up', async () => {
      // On the replica, outside the binary log and past read-only (as an operator's mistake would):
      const onReplica = (statement: string) =>
        sql(
          'web-02',
          flavor === 'mysql'
            ? `SET GLOBAL super_read_only=OFF; SET SESSION sql_log_bin=0; ${statement}; SET GLOBAL super_read_only=ON`
            : `SET SESSION sql_log_bin=0; ${statement}`,
        );
      await sql(
        'web-01',
        'CREATE TABLE IF NOT EXISTS foobar.t (id INT PRIMARY KEY, v VARCHAR(40)); INSERT INTO foobar.t VALUES (4242, "before")',
      );
      await replicaReads('the row on the replica', 5, 4242, 'before');
      await onReplica('DELETE FROM foobar.t WHERE id=4242');
      // Row events, so that the replica looks for the row (MariaDB logs MIXED by default).
      const rowFormat = flavor === 'mariadb' ? 'SET SESSION binlog_format=ROW; ' : '';
      await sql('web-01', `${rowFormat}UPDATE foobar.t SET v="after" WHERE id=4242`);
      await until('the applier stopped on error 1032', 15, async () =>
        /Last_SQL_Errno: 1032/.test(await status()),
      );
      const r = apply();
      assert.equal(r.code, 3, r.out);
      assert.match(r.out, /replication from \S+ stopped on error 1032/);
      if (flavor === 'mysql') assert.match(r.out, /in transaction [0-9a-f-]+:\d+/);
      assert.match(await status(), /(Replica|Slave)_SQL_Running: No/, 'nothing was restarted');
      // The repair the message asks for: the row back as the source had it, then the applier on.
      await onReplica('INSERT INTO foobar.t VALUES (4242, "before")');
      await sql('web-02', 'START REPLICA');
      await replicaReads('the update applied on the replica', 15, 4242, 'after');
      const again = apply();
      assert.equal(again.code, 0, again.out);
      assert.equal(changed(again.out, 'web-02'), 0, again.out);
    });

    it("6. a replica cloned with the primary's identity gets a clear error, and no broken replication", async () => {
      const stop = `sudo sh -c "mysql -e 'STOP REPLICA; RESET REPLICA ALL'"`;
      if (flavor === 'mysql') {
        const uuid = (await sql('web-01', 'SELECT @@server_uuid')).out;
        await lab.ssh(
          'web-02',
          `${stop} && sudo systemctl stop mysql && printf '[auto]\\nserver-uuid=${uuid}\\n' | sudo tee /var/lib/mysql/auto.cnf >/dev/null && sudo systemctl start mysql`,
        );
      } else {
        await lab.ssh('web-02', `${stop} && sudo mysql -e 'SET GLOBAL server_id=1'`);
      }
      const r = apply();
      assert.equal(r.code, 3, r.out);
      assert.match(
        r.out,
        flavor === 'mysql'
          ? /same server UUID .*remove \/var\/lib\/mysql\/auto\.cnf/
          : /same server_id 1/,
      );
      assert.doesNotMatch(await status(), /Running: Yes/, 'replication was not started');
      // The fix the message names, then apply again.
      if (flavor === 'mysql')
        await lab.ssh(
          'web-02',
          'sudo systemctl stop mysql && sudo rm /var/lib/mysql/auto.cnf && sudo systemctl start mysql',
        );
      else await lab.ssh('web-02', "sudo mysql -e 'SET GLOBAL server_id=2'");
      const again = apply();
      assert.equal(again.code, 0, again.out);
      await until('replication running', 30, async () => running(await status()));
    });

    it('7. a primary with data and a new, empty replica: seeded, then the checksums match', async () => {
      await sql(
        'web-01',
        'CREATE TABLE foobar.big (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40)); INSERT INTO foobar.big (v) VALUES ("a"),("b"),("c"),("d")',
      );
      await sql('web-01', 'INSERT INTO foobar.big (v) SELECT CONCAT(v, id) FROM foobar.big');
      // The early transactions leave the binary logs: only a seed can bring them.
      await sql('web-01', 'FLUSH BINARY LOGS; PURGE BINARY LOGS BEFORE NOW() + INTERVAL 1 SECOND');
      await lab.reset(['web-02']);
      const r = apply();
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /seed this replica with a consistent dump of web-01/);
      await until('replication running', 30, async () => running(await status()));
      const sum = async (h: string) => (await sql(h, 'CHECKSUM TABLE foobar.t, foobar.big')).out;
      await until(
        'equal checksums',
        10,
        async () => (await sum('web-01')) === (await sum('web-02')),
      );
      assert.equal(changed(apply().out, 'web-02'), 0);
    });

    it('8. a my.cnf the server rejects is never swapped in: the live file and the running server stay', async () => {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-mycnf-'));
      try {
        fs.cpSync(path.join(ROOT, 'playbooks'), path.join(work, 'playbooks'), { recursive: true });
        fs.cpSync(path.join(ROOT, 'templates'), path.join(work, 'templates'), { recursive: true });
        const t = path.join(work, 'templates', 'my.cnf.hbs');
        fs.writeFileSync(t, fs.readFileSync(t, 'utf8').replace('server_id = ', 'server_idd = '));
        const live = (await lab.ssh('web-01', 'sudo sha256sum /etc/mysql/my.cnf')).stdout;
        const pid = (await lab.ssh('web-01', `systemctl show -p MainPID --value ${flavor}`)).stdout;
        const r = spawnSync(
          process.execPath,
          [
            BIN,
            'apply',
            '-i',
            lab.inventoryPath,
            '--tags',
            'database',
            path.join(work, 'playbooks', 'site.yml'),
          ],
          { cwd: ROOT, encoding: 'utf8' },
        );
        assert.equal(r.status, 3, r.stdout + r.stderr);
        assert.match(
          r.stdout,
          /failed: \[web-01\] my\.cnf\n[\s\S]*unknown variable 'server_idd=1'/,
        );
        assert.equal((await lab.ssh('web-01', 'sudo sha256sum /etc/mysql/my.cnf')).stdout, live);
        assert.equal(
          (await lab.ssh('web-01', `systemctl show -p MainPID --value ${flavor}`)).stdout,
          pid,
          'not restarted',
        );
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    });
  });
}
