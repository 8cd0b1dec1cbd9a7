import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { e2eFlavors, type E2eLab, useE2eLab } from '../support/lab';

const DIR = '/var/backups/foobar-mysql';
const PROGRAM = '/usr/local/sbin/foobar-mysql-backup';
const TIMERS = [
  'foobar-mysql-backup.timer',
  'foobar-mysql-binlogs.timer',
  'foobar-mysql-verify.timer',
];

interface ListedDump {
  id: string;
  time: string;
  size: number;
  file: string;
  position: string;
  verified: boolean;
  verification?: { result: string; detail: string };
}

/**
 * Issue 23 on real hosts, both flavours: the backups the site sets up on the
 * replica. The first apply takes a dump and verifies it by a restore; a
 * dropped table comes back as it was at a chosen second (dump, then the
 * archived binary logs); retention keeps what it is told to; a damaged dump
 * fails its verification and degrades status; the backup account has only
 * its grants, and no password exists to leak.
 */
for (const flavor of e2eFlavors())
  describe(`e2e: database backups, verified, and point-in-time recovery (${flavor})`, function () {
    this.timeout(15 * 60_000);
    let lab: E2eLab;
    let work: string;
    const client = flavor === 'mariadb' ? 'mariadb' : 'mysql';
    const sh = async (host: string, command: string) => {
      const r = await lab.ssh(host, command, { timeoutMs: 300_000 });
      assert.equal(r.code, 0, `${host}: ${command}\n${r.stdout}${r.stderr}`);
      return r.stdout;
    };
    const sql = (host: string, query: string) =>
      sh(host, `sudo ${client} -N -B -e ${JSON.stringify(query).replace(/\$/g, '\\$')}`);
    const recap = (out: string, host: string) =>
      Number(new RegExp(`^${host}\\s+: ok=\\d+ changed=(\\d+) `, 'm').exec(out)?.[1] ?? NaN);
    const cli = (...args: string[]) => runCli([...args, '-i', lab.inventoryPath]);
    const list = (): ListedDump[] => {
      const r = cli('backup', 'list', '--format', 'json');
      assert.equal(r.code, 0, r.out);
      const hosts = JSON.parse(r.stdout) as { host: string; dumps: ListedDump[] }[];
      assert.deepEqual(
        hosts.map((h) => h.host),
        ['web-02'],
      );
      return hosts[0]!.dumps;
    };
    /** A dump now, as the timer would take it (and verify it). */
    const dumpNow = () => sh('web-02', 'sudo systemctl start foobar-mysql-backup@run.service');
    /** Until the replica has applied everything the primary has. */
    const caughtUp = async () => {
      const query =
        flavor === 'mariadb' ? 'SELECT @@GLOBAL.gtid_binlog_pos' : 'SELECT @@GLOBAL.gtid_executed';
      const want = (await sql('web-01', query)).replace(/\\n|\s/g, '');
      for (let i = 0; i < 80; i++) {
        const have = (
          await sql('web-02', flavor === 'mariadb' ? 'SELECT @@GLOBAL.gtid_slave_pos' : query)
        ).replace(/\\n|\s/g, '');
        if (have === want) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.fail(`web-02 did not catch up with web-01 (${want})`);
    };
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

    before(async function () {
      this.timeout(15 * 60_000);
      lab = await useE2eLab(this, flavor);
      await lab.resetToSite();
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-e2e-backup-'));
    });
    after(() => {
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it('1. after the first apply: a dump taken and verified, the timers active, files 0600 of the backup user', async () => {
      const dumps = list();
      assert.ok(dumps.length >= 1, JSON.stringify(dumps));
      assert.equal(dumps[0]!.verified, true, JSON.stringify(dumps[0]));
      assert.match(dumps[0]!.verification!.detail, /rows and CHECKSUM TABLE as recorded/);
      assert.notEqual(dumps[0]!.position, '');
      for (const timer of TIMERS)
        assert.equal((await sh('web-02', `systemctl is-active ${timer}`)).trim(), 'active', timer);
      // Only the replica takes backups.
      const primary = await lab.ssh('web-01', `test -e ${DIR}`);
      assert.notEqual(primary.code, 0, 'the primary has a backup folder');
      const files = await sh('web-02', `sudo find ${DIR} -mindepth 1 -printf '%y %m %u %g %p\\n'`);
      for (const line of files.trim().split('\n')) {
        const [type, mode, user, group] = line.split(' ');
        assert.equal(
          `${mode} ${user} ${group}`,
          `${type === 'd' ? '700' : '600'} foobar-backup foobar-backup`,
          line,
        );
      }
      const status = cli('status', '--format', 'json');
      assert.equal(status.code, 0, status.out);
      const backups = (
        JSON.parse(status.stdout) as { backups: { host: string; verified?: { id: string } }[] }
      ).backups;
      assert.equal(backups[0]?.host, 'web-02');
      assert.equal(backups[0]?.verified?.id, dumps[0]!.id);
    });

    it('2. a second apply changes nothing', () => {
      const r = cli('apply');
      assert.equal(r.code, 0, r.out);
      for (const h of lab.hosts) assert.equal(recap(r.out, h.name), 0, `${h.name}\n${r.out}`);
    });

    it('3. a dropped table comes back as it was at T: counted, and CHECKSUM TABLE as at T', async () => {
      await sql(
        'web-01',
        'CREATE TABLE foobar.pitr (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40)) ENGINE=InnoDB; ' +
          "INSERT INTO foobar.pitr (v) VALUES ('before the dump 1'), ('before the dump 2'); " +
          'CREATE PROCEDURE foobar.pitr_count() SELECT COUNT(*) FROM foobar.pitr',
      );
      await caughtUp();
      await dumpNow();
      const dumped = list()[0]!;
      assert.equal(dumped.verified, true, JSON.stringify(dumped));
      // The routine is in the dump (the account can read its body).
      const body = await sh(
        'web-02',
        `sudo zcat ${DIR}/dumps/${dumped.id}.sql.gz | grep -c 'PROCEDURE \`pitr_count\`'`,
      );
      assert.ok(Number(body.trim()) >= 1, body);
      for (let i = 1; i <= 5; i++)
        await sql('web-01', `INSERT INTO foobar.pitr (v) VALUES ('after the dump ${i}')`);
      await pause(1200);
      // T: a whole second after the last of them, before anything else.
      const at = new Date(Math.floor(Date.now() / 1000) * 1000);
      const atCount = (await sql('web-01', 'SELECT COUNT(*) FROM foobar.pitr')).trim();
      const atSum = (await sql('web-01', 'CHECKSUM TABLE foobar.pitr')).trim().split('\t')[1];
      assert.equal(atCount, '7');
      await pause(1200);
      await sql('web-01', "INSERT INTO foobar.pitr (v) VALUES ('after T 1'), ('after T 2')");
      await sql('web-01', 'DROP TABLE foobar.pitr');
      await caughtUp();
      const gone = await lab.ssh('web-02', `sudo ${client} -N -e 'SELECT 1 FROM foobar.pitr'`);
      assert.notEqual(gone.code, 0, 'the drop reached the replica');

      const r = cli('backup', 'restore', '--at', at.toISOString());
      assert.equal(r.code, 0, r.out);
      assert.match(r.stderr, new RegExp(`the dump ${dumped.id} of .*, then the binary logs up to`));
      const figures = new RegExp(`^table=foobar\\.pitr\\t(\\d+)\\t(\\d+)$`, 'm').exec(r.stdout);
      assert.ok(figures, r.out);
      assert.equal(figures[1], atCount, r.out);
      assert.equal(figures[2], atSum, r.out);
      // The scratch server is there to read from, and stops when told.
      const socket = /^socket=(\S+)$/m.exec(r.stdout)?.[1];
      assert.ok(socket, r.out);
      const read = await sh(
        'web-02',
        `sudo ${client} --no-defaults -S ${socket} -u root -N -B -e 'SELECT COUNT(*) FROM foobar.pitr; CHECKSUM TABLE foobar.pitr'`,
      );
      assert.deepEqual(read.trim().split('\n'), [atCount, `foobar.pitr\t${atSum}`]);
      await sh('web-02', `sudo -u foobar-backup ${PROGRAM} stop-restore ${path.dirname(socket)}`);
      assert.notEqual((await lab.ssh('web-02', `test -e ${socket}`)).code, 0);
    });

    it('4. retention keeps exactly backup_keep_daily dumps after several forced runs', async () => {
      const inventory = path.join(work, 'keep-3.yml');
      const text = fs.readFileSync(lab.inventoryPath, 'utf8');
      const edited = text.replace(
        /^all:\n {2}vars:\n/m,
        'all:\n  vars:\n    backup_keep_daily: 3\n',
      );
      assert.notEqual(edited, text);
      fs.writeFileSync(inventory, edited);
      const r = runCli(['apply', '-i', inventory, '-t', 'backups']);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /The backup settings: update \/etc\/foobar-mysql-backup\.conf/);
      for (let i = 0; i < 5; i++) await dumpNow();
      const dumps = list();
      assert.equal(dumps.length, 3, JSON.stringify(dumps.map((d) => d.id)));
      assert.ok(dumps.every((d) => d.verified));
      const files = (await sh('web-02', `sudo ls ${DIR}/dumps`)).trim().split('\n').sort();
      assert.deepEqual(
        files,
        dumps.flatMap((d) => [`${d.id}.meta`, `${d.id}.sql.gz`, `${d.id}.verify`]).sort(),
      );
    });

    it('5. a damaged dump fails its verification: backup list marks it, status degrades', async () => {
      const newest = list()[0]!;
      // The same size, other bytes: only the check of the content sees it.
      await sh(
        'web-02',
        `sudo dd if=/dev/urandom of=${DIR}/dumps/${newest.id}.sql.gz bs=1 count=64 seek=20 conv=notrunc status=none`,
      );
      const verify = await lab.ssh(
        'web-02',
        'sudo systemctl start foobar-mysql-backup@verify.service',
      );
      assert.notEqual(verify.code, 0, 'the verification of a damaged dump passed');
      const after = list().find((d) => d.id === newest.id)!;
      assert.equal(after.verified, false);
      assert.equal(after.verification?.result, 'failed');
      assert.match(after.verification!.detail, /SHA-256/);
      const text = cli('backup', 'list');
      assert.match(text.stdout, new RegExp(`${newest.id} .*FAILED verification`));
      const status = cli('status');
      assert.equal(status.code, 1, status.out);
      assert.match(
        status.out,
        new RegExp(`web-02: the newest backup ${newest.id} is FAILED verification`),
      );
      // The next dump is good again; the damaged one is not what a restore picks.
      await dumpNow();
      assert.equal(cli('status').code, 0);
    });

    it('6. the backup account has exactly its grants; no password exists in its units, processes or logs', async () => {
      const grants = (await sql('web-01', "SHOW GRANTS FOR 'foobar-backup'@'localhost'"))
        .trim()
        .split('\n')
        .map((l) => l.replace(/`/g, '').replace(/ IDENTIFIED VIA unix_socket/, ''))
        .sort();
      const expected =
        flavor === 'mariadb'
          ? [
              'GRANT REPLICATION SLAVE, BINLOG MONITOR, REPLICATION SLAVE ADMIN, SLAVE MONITOR ON *.* TO foobar-backup@localhost',
              'GRANT SELECT ON mysql.proc TO foobar-backup@localhost',
              'GRANT SELECT, SHOW VIEW, EVENT, TRIGGER ON foobar.* TO foobar-backup@localhost',
            ]
          : [
              'GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO foobar-backup@localhost',
              'GRANT REPLICATION_SLAVE_ADMIN,SHOW_ROUTINE ON *.* TO foobar-backup@localhost',
              'GRANT SELECT, SHOW VIEW, EVENT, TRIGGER ON foobar.* TO foobar-backup@localhost',
            ];
      assert.deepEqual(grants, [...expected].sort());
      const plugin = (
        await sql('web-01', "SELECT plugin FROM mysql.user WHERE user = 'foobar-backup'")
      ).trim();
      assert.equal(plugin, flavor === 'mariadb' ? 'unix_socket' : 'auth_socket');
      // Every secret of the lab, and the command lines seen while a dump runs.
      const secretsDir = path.join(path.dirname(lab.inventoryPath), 'secrets');
      const secrets = fs
        .readdirSync(secretsDir)
        .map((f) => fs.readFileSync(path.join(secretsDir, f), 'utf8').trim())
        .filter((s) => s.length >= 8);
      assert.ok(secrets.length >= 4);
      await sh('web-02', 'sudo systemctl start --no-block foobar-mysql-backup@run.service');
      let processes = '';
      for (let i = 0; i < 40; i++) {
        processes += await sh(
          'web-02',
          'ps -eo user,args --no-headers | grep -v " ps -eo" || true',
        );
        if (
          !(await lab.ssh('web-02', 'systemctl is-active -q foobar-mysql-backup@run.service')).code
        )
          await pause(100);
        else break;
      }
      assert.match(processes, /foobar-mysql-backup run/);
      const seen = [
        processes,
        await sh(
          'web-02',
          'sudo cat /etc/systemd/system/foobar-mysql-backup@.service /etc/systemd/system/foobar-mysql-*.timer /etc/foobar-mysql-backup.conf',
        ),
        await sh('web-02', "sudo journalctl --no-pager -o cat -u 'foobar-mysql-backup@*'"),
        await sh('web-02', `sudo sh -c 'zcat ${DIR}/dumps/*.sql.gz; cat ${DIR}/dumps/*.meta'`),
      ].join('\n');
      for (const s of secrets)
        assert.ok(!seen.includes(s), 'a secret of the lab shows in the backups');
      assert.doesNotMatch(processes, /(^|\s)(--password|-p\S)/m);
    });
  });
