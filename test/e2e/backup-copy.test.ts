import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { e2eFlavors, type E2eLab, useE2eLab } from '../support/lab';

const DIR = '/var/backups/foobar-mysql';
const COPIES = '/var/backups/foobar-mysql-copies';
/** web-02's folder on the copy host. */
const MINE = `${COPIES}/hosts/web-02`;
const KEY = '/var/lib/foobar-mysql-backup/id_ed25519';

/**
 * Issue 23's last target on real hosts, both flavours: the backups copied to
 * another host of the inventory (backup_copy_host: lb-01). The backup host
 * makes its own key, the tool reads it there and authorizes it on the copy
 * host, confined to one folder; the copy follows each dump and archive,
 * retention included, and never empties itself from a missing volume.
 */
for (const flavor of e2eFlavors())
  describe(`e2e: backups copied to another host of the inventory (${flavor})`, function () {
    this.timeout(15 * 60_000);
    let lab: E2eLab;
    let work: string;
    let inventory: string;
    const sh = async (host: string, command: string) => {
      const r = await lab.ssh(host, command, { timeoutMs: 300_000 });
      assert.equal(r.code, 0, `${host}: ${command}\n${r.stdout}${r.stderr}`);
      return r.stdout;
    };
    const cli = (...args: string[]) => runCli([...args, '-i', inventory]);
    const recap = (out: string, host: string) =>
      Number(new RegExp(`^${host}\\s+: ok=\\d+ changed=(\\d+) `, 'm').exec(out)?.[1] ?? NaN);
    /** "sha256  name" of every file of a dumps or binlogs folder, sorted. */
    const sums = async (host: string, dir: string) =>
      (await sh(host, `sudo sh -c 'cd ${dir} && sha256sum -- *' | sort -k2`)).trim();
    const lb = () => lab.host('lb-01').address;
    /** The backup user's own SSH, as its jobs use it. */
    const asBackup = (command: string) =>
      lab.ssh(
        'web-02',
        `cd /tmp && sudo -u foobar-backup env S="ssh -i ${KEY} -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/etc/foobar-mysql-backup.known_hosts" sh -c '${command}'`,
        { timeoutMs: 60_000 },
      );

    /** The copy job, run now, fails with this in its journal. */
    const copyFails = async (why: RegExp) => {
      const job = await lab.ssh('web-02', 'sudo systemctl start foobar-mysql-backup@copy.service');
      assert.notEqual(job.code, 0);
      assert.match(
        await sh('web-02', 'sudo journalctl -u foobar-mysql-backup@copy --no-pager'),
        why,
      );
    };

    before(async function () {
      this.timeout(15 * 60_000);
      lab = await useE2eLab(this, flavor);
      await lab.resetToSite();
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-e2e-backup-copy-'));
      inventory = path.join(work, 'copy.yml');
      const text = fs.readFileSync(lab.inventoryPath, 'utf8');
      const edited = text.replace(
        /^all:\n {2}vars:\n/m,
        'all:\n  vars:\n    backup_copy_host: lb-01\n    backup_keep_daily: 2\n    backup_copy_keep_daily: 3\n',
      );
      assert.notEqual(edited, text);
      fs.writeFileSync(inventory, edited);
    });
    after(() => {
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it('1. a dry run before: the key is made by an earlier task, not a failure; apply copies every dump and log, files 0600 of the copy user', async () => {
      const dry = cli('diff');
      assert.equal(dry.code, 2, dry.out);
      assert.match(dry.out, /no \S+id_ed25519\.pub on web-02 yet: an earlier task makes it/);
      const r = cli('apply');
      assert.equal(r.code, 0, await lab.explain(r.out));
      // The first copy went with the apply's dump; one more dump and archive, then compare.
      await sh('web-02', 'sudo systemctl start foobar-mysql-backup@run.service');
      await sh('web-02', 'sudo systemctl start foobar-mysql-backup@binlogs.service');
      for (const sub of ['dumps', 'binlogs'])
        assert.equal(
          await sums('lb-01', `${MINE}/${sub}`),
          await sums('web-02', `${DIR}/${sub}`),
          sub,
        );
      const files = await sh('lb-01', `sudo find ${COPIES}/hosts -printf '%y %m %u %p\\n'`);
      for (const line of files.trim().split('\n')) {
        const [type, mode, user] = line.split(' ');
        assert.equal(`${mode} ${user}`, `${type === 'd' ? '700' : '600'} foobar-backup-copy`, line);
      }
      // The account's home and keys are root's: it cannot change them.
      assert.equal(
        (
          await sh(
            'lb-01',
            `sudo stat -c '%U %a' ${COPIES} ${COPIES}/.ssh ${COPIES}/.ssh/authorized_keys`,
          )
        ).trim(),
        'root 755\nroot 755\nroot 644',
      );
      const list = cli('backup', 'list');
      assert.equal(list.code, 0, list.out);
      assert.match(list.out, /copy on lb-01: \S+Z, dumps up to \d{8}T\d{6}Z and the binary logs/);
      const status = cli('status', '--format', 'json');
      assert.equal(status.code, 0, status.out);
      const row = (JSON.parse(status.stdout) as { backups: { copy?: { host: string } }[] })
        .backups[0];
      assert.equal(row?.copy?.host, 'lb-01');
    });

    it('2. a second apply changes nothing; diff exits 0', () => {
      const r = cli('apply');
      assert.equal(r.code, 0, r.out);
      for (const host of ['lb-01', 'web-01', 'web-02']) assert.equal(recap(r.out, host), 0, r.out);
      const d = cli('diff');
      assert.equal(d.code, 0, d.out);
    });

    it('3. the backup host key: no shell, no reading, no writing outside its folder; only backup hosts reach the copy host', async () => {
      const target = `foobar-backup-copy@${lb()}`;
      const shell = await asBackup(`$S ${target} id`);
      assert.notEqual(shell.code, 0, shell.stdout);
      assert.match(shell.stderr, /rrsync/);
      const read = await asBackup(`rsync -e "$S" -r ${target}:dumps/ /tmp/readback`);
      assert.notEqual(read.code, 0, read.stdout);
      assert.match(read.stderr, /write-only/);
      for (const dest of ['../escape', `${COPIES}/escape`]) {
        const out = await asBackup(`echo x > /tmp/x && rsync -e "$S" /tmp/x ${target}:${dest}`);
        assert.notEqual(out.code, 0, `${dest}: ${out.stdout}`);
      }
      assert.equal((await sh('lb-01', `sudo find / -xdev -name escape 2>/dev/null`)).trim(), '');
      // A link planted in its folder, then a write through it: links are munged.
      const keys = `${COPIES}/.ssh/authorized_keys`;
      const outsideMine = `sudo sh -c 'find ${COPIES} -path ${MINE} -prune -o -printf "%p %s %T@\\n"; sha256sum ${keys}'`;
      const before = await sh('lb-01', outsideMine);
      const plant = await asBackup(
        `rm -rf /tmp/plant && mkdir -p /tmp/plant/dumps && ln -s ../../../.ssh /tmp/plant/dumps/up && rsync -e "$S" -rl /tmp/plant/dumps ${target}: ; echo x > /tmp/x && rsync -e "$S" /tmp/x ${target}:dumps/up/authorized_keys`,
      );
      assert.notEqual(plant.code, 0, plant.stdout);
      assert.equal(await sh('lb-01', outsideMine), before);
      await sh('lb-01', `sudo rm -f ${MINE}/dumps/up`);
      // The firewall: SSH to the copy host from the backup host, not from the other web host.
      const probe = `timeout 5 bash -c '</dev/tcp/${lb()}/22' && echo open || echo closed`;
      assert.equal((await sh('web-02', probe)).trim(), 'open');
      assert.equal((await sh('web-01', probe)).trim(), 'closed');
    });

    it('4. the copies pruned on the copy host (backup_copy_keep_daily), files of other names kept; a new or missing volume here never empties the copy', async () => {
      await sh('lb-01', `sudo -u foobar-backup-copy touch ${MINE}/dumps/notes.txt`);
      for (let i = 0; i < 3; i++)
        await sh('web-02', 'sudo systemctl start foobar-mysql-backup@run.service');
      const ls = async (host: string, dir: string) =>
        (await sh(host, `sudo ls ${dir}`)).trim().split('\n').sort();
      const here = await ls('web-02', `${DIR}/dumps`);
      assert.equal(here.length, 6, here.join(' '));
      // The backup host cannot delete there: the copy keeps more than it does.
      const copied = await ls('lb-01', `${MINE}/dumps`);
      assert.ok(copied.length > here.length + 1, copied.join(' '));
      await sh('lb-01', 'sudo systemctl start foobar-mysql-backup-copies.service');
      const kept = await ls('lb-01', `${MINE}/dumps`);
      const ids = [...new Set(copied.filter((f) => f.endsWith('.meta')).map((f) => f.slice(0, -5)))]
        .sort()
        .slice(-3);
      assert.deepEqual(
        kept,
        [
          ...ids.flatMap((id) => [`${id}.meta`, `${id}.sql.gz`, `${id}.verify`]),
          'notes.txt',
        ].sort(),
      );
      const logs = await ls('lb-01', `${MINE}/binlogs`);
      // A new, empty volume here (the old one lost): its first dump goes there,
      // and nothing there goes.
      await sh(
        'web-02',
        `sudo mv ${DIR}/dumps ${DIR}/dumps.away && sudo mv ${DIR}/binlogs ${DIR}/binlogs.away`,
      );
      try {
        await sh('web-02', 'sudo systemctl start foobar-mysql-backup@run.service');
        const fresh = await ls('web-02', `${DIR}/dumps`);
        const after = await ls('lb-01', `${MINE}/dumps`);
        assert.deepEqual(after, [...new Set([...kept, ...fresh])].sort());
        assert.deepEqual(await ls('lb-01', `${MINE}/binlogs`), logs);
        // The volume not there at all: the copy is refused.
        await sh('web-02', `sudo mv ${DIR}/dumps ${DIR}/dumps.new`);
        await copyFails(/copy to foobar-backup-copy@\S+ refused: no verified dump/);
        await sh('web-02', `sudo rm -rf ${DIR}/dumps.new`);
        assert.deepEqual(await ls('lb-01', `${MINE}/dumps`), after);
      } finally {
        await sh(
          'web-02',
          `sudo rm -rf ${DIR}/dumps ${DIR}/dumps.new ${DIR}/binlogs && sudo mv ${DIR}/dumps.away ${DIR}/dumps && sudo mv ${DIR}/binlogs.away ${DIR}/binlogs`,
        );
      }
    });

    it('5. the copy host refusing the key: the job fails and says so, status degrades once the copy is late', async () => {
      const keys = `${COPIES}/.ssh/authorized_keys`;
      await sh('lb-01', `sudo mv ${keys} ${keys}.away`);
      try {
        await copyFails(/copy to foobar-backup-copy@\S+ failed \(rsync exit \d+\)/);
      } finally {
        await sh('lb-01', `sudo mv ${keys}.away ${keys}`);
      }
      // The record of the last good copy, made two hours old: status names it.
      await sh(
        'web-02',
        `sudo -u foobar-backup sh -c 'read at id < ${DIR}/binlogs/.copied; echo "$((at - 7200)) $id" > ${DIR}/binlogs/.copied'`,
      );
      const status = cli('status');
      assert.equal(status.code, 1, status.out);
      assert.match(status.out, /web-02: the copy on lb-01 is 2 h old/);
      // The next copy puts it right.
      await sh('web-02', 'sudo systemctl start foobar-mysql-backup@copy.service');
      const again = cli('status');
      assert.equal(again.code, 0, again.out);
    });
  });
