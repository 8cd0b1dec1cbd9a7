import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { e2eFlavors, type E2eLab, useE2eLab } from '../support/lab';

/**
 * Issue 11, failover: the primary's host is powered off, `promote` makes the
 * replica the primary, the site takes writes again; the old primary, booted
 * again, becomes a replica of the new one through `apply` and has every row.
 */
for (const flavor of e2eFlavors())
  describe(`e2e: promote after the primary is lost (${flavor})`, function () {
    this.timeout(10 * 60_000);
    let lab: E2eLab;
    let work: string;
    let inventory: string;
    let lb: string;

    const recap = (out: string, host: string) =>
      Number(new RegExp(`^${host}\\s+: ok=\\d+ changed=(\\d+)`, 'm').exec(out)?.[1]);
    /** A write through the lb, as users make it: the new row's id, or undefined. */
    const write = (text: string): number | undefined => {
      const r = spawnSync(
        'curl',
        [
          '-s',
          '-m',
          '3',
          '--cacert',
          lab.caPath,
          '-X',
          'POST',
          '-H',
          'content-type: application/json',
          '-d',
          JSON.stringify({ text }),
          `https://${lb}/messages`,
        ],
        { encoding: 'utf8' },
      );
      try {
        return (JSON.parse(r.stdout) as { id?: number }).id;
      } catch {
        return undefined;
      }
    };
    /** A host's line of the (flow-style) inventory. */
    const hostLine = (name: string) =>
      fs
        .readFileSync(inventory, 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`        ${name}: {`)) ?? '';
    const rows = async (host: string) =>
      (await lab.ssh(host, 'sudo mysql -N -e "SELECT text FROM foobar.messages ORDER BY id"'))
        .stdout;

    before(async function () {
      lab = await useE2eLab(this, flavor);
      await lab.resetToSite();
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-e2e-failover-'));
      // promote --write edits the inventory: a copy, beside which it stages its change.
      inventory = path.join(work, 'site.yml');
      fs.copyFileSync(lab.inventoryPath, inventory);
      lb = lab.host('lb-01').address;
      const r = runCli(['apply', '-i', inventory]);
      assert.equal(r.code, 0, r.out);
      let id: number | undefined;
      for (let i = 0; i < 40 && id === undefined; i++) {
        id = write('before the failover');
        if (id === undefined) await new Promise((res) => setTimeout(res, 250));
      }
      assert.ok(id !== undefined, 'the site takes writes before the failover');
    });
    after(async () => {
      // A lab is reset only while all its hosts run: the next suite resets it.
      if (lab) await lab.start(['web-01']);
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it('refuses while the primary still answers (two primaries), and for a host that is not a replica', () => {
      const alive = runCli(['promote', 'web-02', '-i', inventory]);
      assert.equal(alive.code, 1, alive.out);
      assert.match(
        alive.stderr,
        /the primary web-01 still answers: promoting web-02 would make two primaries \(stop web-01 first\)\. Use --force/,
      );
      const primary = runCli(['promote', 'web-01', '-i', inventory]);
      assert.equal(primary.code, 1);
      assert.match(primary.stderr, /web-01 is not a replica \(mysql_role: primary\)/);
      assert.match(hostLine('web-01'), /mysql_role: primary/);
    });

    it('the primary host powered off: promote web-02 --write, and the site takes writes within 60 s of the command', async () => {
      await lab.stop(['web-01']);
      const start = Date.now();
      const r = runCli(['promote', 'web-02', '-i', inventory, '--write']);
      assert.equal(r.code, 0, r.out);
      assert.match(
        r.out,
        /web-02: STOP REPLICA; RESET REPLICA ALL; (SET GLOBAL super_read_only=OFF; )?SET GLOBAL read_only=OFF/,
      );
      let id: number | undefined;
      while (id === undefined && Date.now() - start < 60_000) {
        id = write('after the promote');
        if (id === undefined) await new Promise((res) => setTimeout(res, 500));
      }
      assert.ok(id !== undefined, 'no write went through within 60 s of the promote');
      const seconds = (Date.now() - start) / 1000;
      process.stderr.write(
        `      (writes answered ${seconds.toFixed(1)} s after the promote started)\n`,
      );
      // The inventory records the new roles, and nothing else changed in it.
      const text = fs.readFileSync(inventory, 'utf8');
      assert.match(hostLine('web-02'), /mysql_role: primary/);
      assert.doesNotMatch(hostLine('web-02'), /mysql_source/);
      assert.match(hostLine('web-01'), /mysql_role: replica.*mysql_source: web-02/);
      const original = fs.readFileSync(lab.inventoryPath, 'utf8').split('\n');
      const changed = text.split('\n').filter((line, i) => line !== original[i]);
      assert.equal(changed.length, 2, changed.join('\n'));
    });

    it('the old primary comes back: apply makes it a replica of web-02, with the row written after the promote; a second apply changes nothing', async () => {
      await lab.start(['web-01']);
      // Booted with its old configuration, it does not take writes on its own.
      const ro = await lab.ssh('web-01', 'sudo mysql -N -e "SELECT @@GLOBAL.read_only"');
      assert.equal(ro.stdout.trim(), '1');
      const r = runCli(['apply', '-i', inventory]);
      assert.equal(r.code, 0, r.out);
      const status = (await lab.ssh('web-01', 'sudo mysql --vertical -e "SHOW REPLICA STATUS"'))
        .stdout;
      // MariaDB keeps the Master_/Slave_ names.
      const address = lab.host('web-02').address.replace(/\./g, '\\.');
      assert.match(status, new RegExp(`(Source|Master)_Host: ${address}$`, 'm'));
      assert.match(status, /(Replica|Slave)_IO_Running: Yes/);
      assert.match(status, /(Replica|Slave)_SQL_Running: Yes/);
      let mine = '';
      for (let i = 0; i < 20 && !mine.includes('after the promote'); i++) {
        mine = await rows('web-01');
        if (!mine.includes('after the promote')) await new Promise((res) => setTimeout(res, 250));
      }
      assert.match(mine, /before the failover\nafter the promote/);
      const again = runCli(['apply', '-i', inventory]);
      assert.equal(again.code, 0, again.out);
      for (const h of lab.hosts) assert.equal(recap(again.out, h.name), 0, again.out);
      // HAProxy sees web-01 healthy again within its checks (rise 2 × 2 s): the site is healthy.
      let s = runCli(['status', '-i', inventory, '--format', 'json']);
      for (let i = 0; i < 30 && s.code !== 0; i++) {
        await new Promise((res) => setTimeout(res, 1000));
        s = runCli(['status', '-i', inventory, '--format', 'json']);
      }
      assert.equal(s.code, 0, s.out);
    });
  });
