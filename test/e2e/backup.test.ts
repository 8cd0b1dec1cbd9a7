import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
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
  encrypted: boolean;
  tables: { name: string }[];
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
      // The first dump (the oldest) is taken after the application's play: it holds its tables.
      const appTables = (
        await sql(
          'web-02',
          "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'foobar'",
        )
      ).trim();
      assert.ok(Number(appTables) > 0, `the application made no table: ${appTables}`);
      assert.equal(
        dumps[dumps.length - 1]!.tables.length,
        Number(appTables),
        JSON.stringify(dumps[dumps.length - 1]),
      );
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
          'CREATE PROCEDURE foobar.pitr_count() SELECT COUNT(*) FROM foobar.pitr; ' +
          "CREATE USER 'pitr-user'@'localhost' IDENTIFIED BY 'Pitr-pass-1'",
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
      // What else happens on a live primary meanwhile (another schema, an
      // account made before the dump and changed after it) is in the binary
      // logs too; the restore replays the application's database only.
      await sql(
        'web-01',
        "CREATE DATABASE pitr_other; CREATE TABLE pitr_other.t (i INT PRIMARY KEY); INSERT INTO pitr_other.t VALUES (1); ALTER USER 'pitr-user'@'localhost' IDENTIFIED BY 'Pitr-pass-2'; GRANT INSERT ON foobar.* TO 'pitr-user'@'localhost'",
      );
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

      // Into the live primary: refused without --force; with it, the table is
      // back there as at T, checked there, and replicated.
      const refused = cli('backup', 'restore', '--at', at.toISOString(), '--to', 'web-01');
      assert.equal(refused.code, 1, refused.out);
      assert.match(
        refused.stderr,
        /--to web-01 writes the restored tables over the live primary's .*--force/,
      );
      const loaded = cli(
        'backup',
        'restore',
        '--at',
        at.toISOString(),
        '--to',
        'web-01',
        '--tables',
        'pitr',
        '--force',
      );
      assert.equal(loaded.code, 0, loaded.out);
      assert.match(
        loaded.stdout,
        new RegExp(`^web-01: foobar\\.pitr: ${atCount} rows, CHECKSUM TABLE ${atSum}$`, 'm'),
      );
      await caughtUp();
      for (const h of ['web-01', 'web-02'])
        assert.deepEqual(
          (await sql(h, 'SELECT COUNT(*) FROM foobar.pitr; CHECKSUM TABLE foobar.pitr'))
            .trim()
            .split('\n'),
          [atCount, `foobar.pitr\t${atSum}`],
          h,
        );
      // The scratch server of that restore is gone.
      assert.equal(
        (await sh('web-02', 'ls /var/tmp | grep -c foobar-backup-restore || true')).trim(),
        '0',
      );
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
      // Files the program did not write stay, whatever their names.
      const foreign = [
        `${DIR}/dumps/notes.txt`,
        `${DIR}/binlogs/README`,
        `${DIR}/binlogs/aaa.000001`,
      ];
      await sh('web-02', `sudo -u foobar-backup touch ${foreign.join(' ')}`);
      for (let i = 0; i < 5; i++) await dumpNow();
      await sh('web-02', 'sudo systemctl start foobar-mysql-backup@binlogs.service');
      await sh('web-02', `sudo ls ${foreign.join(' ')}`);
      await sh('web-02', `sudo rm ${foreign.join(' ')}`);
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
      // The command lines seen while the job runs, until it has finished (a
      // later `systemctl start` would otherwise join this run, not make one).
      let processes = '';
      const started = Date.now();
      let begun = false;
      for (;;) {
        processes += await sh(
          'web-02',
          'ps -eo user,args --no-headers | grep -v " ps -eo" || true',
        );
        // A oneshot job is "activating" while it runs (is-active then exits
        // non-zero); right after --no-block it may not have begun yet.
        const state = (
          await lab.ssh('web-02', 'systemctl is-active foobar-mysql-backup@run.service')
        ).stdout.trim();
        const running = /^(activating|active|reloading)$/.test(state);
        if (running) begun = true;
        else if (begun) break;
        assert.ok(Date.now() - started < 180_000, `the dump job: ${state} after 3 minutes`);
        await pause(100);
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

    it('7. with backup_encryption_key: dumps and binary logs encrypted at rest, verified, restored; the key shows nowhere else', async () => {
      const key = randomBytes(33).toString('base64');
      const keyFile = path.join(work, 'backup.key');
      fs.writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
      const inventory = path.join(work, 'encrypted.yml');
      const text = fs.readFileSync(lab.inventoryPath, 'utf8');
      const edited = text.replace(
        /^all:\n {2}vars:\n/m,
        `all:\n  vars:\n    backup_encryption_key: { file: ${keyFile} }\n`,
      );
      assert.notEqual(edited, text);
      fs.writeFileSync(inventory, edited);
      const applied = runCli(['apply', '-i', inventory, '-t', 'backups', '-vvv']);
      assert.equal(applied.code, 0, applied.out);
      assert.match(
        applied.out,
        /The backups' encryption key: create \/etc\/foobar-mysql-backup\.key/,
      );
      const canary = `enc-canary-${randomBytes(6).toString('hex')}`;
      await sql(
        'web-01',
        `CREATE TABLE foobar.sealed (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(60)); INSERT INTO foobar.sealed (v) VALUES ('${canary} 1'), ('${canary} 2')`,
      );
      await caughtUp();
      await dumpNow();
      await sh('web-02', 'sudo systemctl start foobar-mysql-backup@binlogs.service');
      const newest = list()[0]!;
      assert.equal(newest.encrypted, true, JSON.stringify(newest));
      assert.equal(newest.verified, true, JSON.stringify(newest));
      // The dump is openssl's format; neither it nor the binary logs hold the rows in clear.
      const file = `${DIR}/dumps/${newest.id}.sql.gz.enc`;
      assert.equal(await sh('web-02', `sudo head -c 8 ${file}`), 'Salted__');
      const logs = (await sh('web-02', `sudo ls ${DIR}/binlogs`)).trim().split('\n');
      assert.ok(logs.length > 0 && logs.every((n) => n.endsWith('.enc')), logs.join(' '));
      const clear = await lab.ssh(
        'web-02',
        `sudo sh -c 'cat ${file} ${DIR}/binlogs/*.enc | zcat -f 2>/dev/null; cat ${file} ${DIR}/binlogs/*.enc' | grep -a -c '${canary}'`,
      );
      assert.equal(clear.stdout.trim(), '0', 'the rows show in clear in the encrypted files');
      const live = (await sql('web-01', 'CHECKSUM TABLE foobar.sealed')).trim().split('\t')[1];
      const r = runCli(['backup', 'restore', '--latest', '-i', inventory]);
      assert.equal(r.code, 0, r.out);
      assert.match(r.stdout, new RegExp(`^table=foobar\\.sealed\\t2\\t${live}$`, 'm'));
      const socket = /^socket=(\S+)$/m.exec(r.stdout)![1]!;
      await sh('web-02', `sudo -u foobar-backup ${PROGRAM} stop-restore ${path.dirname(socket)}`);
      // The key is in its own file (0400, the backup user's) and nowhere else.
      assert.equal(
        (await sh('web-02', 'sudo stat -c "%a %U" /etc/foobar-mysql-backup.key')).trim(),
        '400 foobar-backup',
      );
      const seen = [
        applied.out,
        r.out,
        await sh(
          'web-02',
          'sudo cat /etc/systemd/system/foobar-mysql-backup@.service /etc/foobar-mysql-backup.conf',
        ),
        await sh('web-02', "sudo journalctl --no-pager -o cat -u 'foobar-mysql-backup@*'"),
        await sh('web-02', 'ps -eo args --no-headers'),
      ].join('\n');
      assert.ok(!seen.includes(key), 'the encryption key shows outside its file');
      // Another key on the host: the restore says so, and leaves no server behind.
      await sh('web-02', 'echo another-key | sudo tee /etc/foobar-mysql-backup.key >/dev/null');
      const wrong = runCli(['backup', 'restore', '--latest', '-i', inventory]);
      assert.equal(wrong.code, 3, wrong.out);
      assert.match(wrong.out, /the dump was encrypted with another key \(id [0-9a-f]{16}\)/);
      assert.equal(
        (await sh('web-02', 'ls /var/tmp | grep -c foobar-backup- || true')).trim(),
        '0',
      );
      assert.equal(
        (
          await sh('web-02', 'ps -u foobar-backup -o comm= | grep -cE "mysqld|mariadbd" || true')
        ).trim(),
        '0',
      );
      const restored = runCli(['apply', '-i', inventory]);
      assert.equal(restored.code, 0, restored.out);
      assert.match(restored.out, /The backups' encryption key: update/);
      const again = runCli(['apply', '-i', inventory]);
      assert.equal(again.code, 0, again.out);
      for (const h of lab.hosts)
        assert.equal(recap(again.out, h.name), 0, `${h.name}\n${again.out}`);
    });

    it('8. with the database server down, the jobs fail and say so: the archive does not claim to reach now, the server stays down', async () => {
      const service = flavor === 'mariadb' ? 'mariadb' : 'mysql';
      const before = await sh('web-02', `sudo cat ${DIR}/binlogs/.archived`);
      await sh('web-02', `sudo systemctl stop ${service}`);
      try {
        const run = await lab.ssh('web-02', `cd / && sudo -u foobar-backup ${PROGRAM} binlogs`);
        assert.notEqual(run.code, 0, run.stdout + run.stderr);
        assert.equal(await sh('web-02', `sudo cat ${DIR}/binlogs/.archived`), before);
        const job = await lab.ssh(
          'web-02',
          'sudo systemctl start foobar-mysql-backup@binlogs.service',
        );
        assert.notEqual(job.code, 0);
        assert.notEqual(
          (await lab.ssh('web-02', `systemctl is-active -q ${service}`)).code,
          0,
          'the backup job started the database server',
        );
      } finally {
        await sh('web-02', `sudo systemctl start ${service}`);
      }
    });

    it('9. backups: false stops the jobs and keeps the dumps; turned on again, they run again', async () => {
      const inventory = path.join(work, 'off.yml');
      const text = fs.readFileSync(lab.inventoryPath, 'utf8');
      const edited = text.replace(/^all:\n {2}vars:\n/m, 'all:\n  vars:\n    backups: false\n');
      assert.notEqual(edited, text);
      fs.writeFileSync(inventory, edited);
      const dumpsBefore = await sh('web-02', `sudo ls ${DIR}/dumps`);
      const off = runCli(['apply', '-i', inventory, '-t', 'backups']);
      assert.equal(off.code, 0, off.out);
      for (const timer of TIMERS) {
        const state = await lab.ssh(
          'web-02',
          `systemctl is-active ${timer}; systemctl is-enabled ${timer}`,
        );
        assert.equal(state.stdout.trim().replace(/\s+/g, ' '), 'inactive disabled', timer);
      }
      assert.equal(await sh('web-02', `sudo ls ${DIR}/dumps`), dumpsBefore);
      const on = cli('apply', '-t', 'backups');
      assert.equal(on.code, 0, on.out);
      for (const timer of TIMERS)
        assert.equal((await sh('web-02', `systemctl is-active ${timer}`)).trim(), 'active', timer);
    });

    it('10. a binary log lost before it was archived: the restore refuses the gap instead of skipping it', async () => {
      await dumpNow();
      const from = (
        await sh('web-02', `sudo sed -n 's/^binlog=//p' ${DIR}/dumps/${list()[0]!.id}.meta`)
      ).trim();
      await sh('web-02', 'sudo systemctl start foobar-mysql-backup@binlogs.service');
      /** The replica's binary log being written now. */
      const newestLog = async () =>
        (await sql('web-02', 'SHOW BINARY LOGS')).trim().split('\n').pop()!.split('\t')[0]!;
      // Two more logs on the replica; the middle one purged before the archive saw it.
      await sh('web-02', `sudo ${client} -e 'FLUSH BINARY LOGS'`);
      const middle = await newestLog();
      await sh('web-02', `sudo ${client} -e 'FLUSH BINARY LOGS'`);
      const last = await newestLog();
      assert.ok(from < middle && middle < last, `${from} ${middle} ${last}`);
      await sh('web-02', `sudo rm -f ${DIR}/binlogs/${middle} ${DIR}/binlogs/${middle}.enc`);
      await sql('web-02', `PURGE BINARY LOGS TO '${last}'`);
      const r = cli('backup', 'restore', '--latest');
      assert.equal(r.code, 3, r.out);
      assert.match(
        r.out,
        new RegExp(
          `the archived binary logs have a gap before ${last.replace('.', '\\.')}: the server's log number \\d+ is missing`,
        ),
      );
      assert.equal(
        (await sh('web-02', 'ls /var/tmp | grep -c foobar-backup- || true')).trim(),
        '0',
      );
    });
  });
