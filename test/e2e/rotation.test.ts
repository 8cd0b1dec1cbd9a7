import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { e2eFlavors, type E2eLab, useE2eLab } from '../support/lab';

const FINGERPRINTS = '/var/lib/foobar-infra/secret-fingerprints';

/**
 * Issue 20, done-criterion 1: every secret of the site, and every private key,
 * rotates to a canary. diff, apply --check --diff and apply --diff at -v, -vv
 * and -vvv, diff and status in text and JSON, with --out: no output and no
 * file the tool writes shows an old value, a new one, or a fingerprint; the
 * hosts' temp folders hold none of them. Both flavours.
 */
for (const flavor of e2eFlavors())
  describe(`e2e: a rotation of every secret and key shows none of them (${flavor})`, function () {
    this.timeout(10 * 60_000);
    let lab: E2eLab;
    let work: string;
    let inventory: string;
    /** Every value that must never show, with what it is (for the message). */
    const hidden = new Map<string, string>();
    const outputs: [string, string][] = [];

    const hide = (what: string, value: string) => {
      for (const line of value.split('\n'))
        if (line.length >= 8 && !line.startsWith('-----')) hidden.set(line.trim(), what);
    };
    /** Every fingerprint recorded on the hosts now. */
    const fingerprints = async (label: string) => {
      for (const h of lab.hosts) {
        const r = await lab.ssh(h.name, `sudo cat ${FINGERPRINTS} 2>/dev/null; true`);
        for (const line of r.stdout.split('\n')) {
          const value = line.split('\t')[1];
          if (value) hidden.set(value, `${label} fingerprint on ${h.name}`);
        }
      }
    };
    const keep = (label: string, r: ReturnType<typeof runCli>) => {
      outputs.push([label, r.out]);
      return r;
    };
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

    /** A new key, and a certificate for it like the old one (names, usages), from the lab's CA. */
    const newLeaf = (tls: string, name: string) => {
      const key = path.join(work, `${name}.key`);
      const csr = path.join(work, `${name}.csr`);
      const crt = path.join(work, `${name}.crt`);
      openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key);
      const old = path.join(tls, `${name}.crt`);
      openssl(
        'x509',
        '-x509toreq',
        '-in',
        old,
        '-key',
        key,
        '-copy_extensions',
        'copyall',
        '-out',
        csr,
      );
      const ca = ['-CA', path.join(tls, 'ca.crt'), '-CAkey', path.join(tls, 'ca.key')];
      openssl(
        'x509',
        '-req',
        '-in',
        csr,
        ...ca,
        '-copy_extensions',
        'copyall',
        '-days',
        '30',
        '-out',
        crt,
      );
      return { key, crt };
    };

    before(async function () {
      lab = await useE2eLab(this, flavor);
      await lab.resetToSite();
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-e2e-rotation-'));
      await fingerprints('old');
      let text = fs.readFileSync(lab.inventoryPath, 'utf8');
      // Passwords: each secret file gets a canary of its own.
      text = text.replace(
        /\{ file: ([^ ]+)\/secrets\/([a-z_]+) \}/g,
        (_all, _dir, name: string) => {
          const old = fs.readFileSync(
            path.join(path.dirname(lab.inventoryPath), 'secrets', name),
            'utf8',
          );
          hide(`the old ${name}`, old);
          // Short enough for MySQL's replication password (32 bytes at most).
          const canary = `canary-${randomBytes(10).toString('hex')}`;
          hide(`the new ${name}`, canary);
          const file = path.join(work, name);
          fs.writeFileSync(file, `${canary}\n`, { mode: 0o600 });
          return `{ file: ${file} }`;
        },
      );
      // Keys: every one is replaced, with a certificate to match.
      const leaves = new Map<string, { key: string; crt: string }>();
      text = text.replace(
        /\{ file: ([^ ]+\/tls)\/([a-z0-9-]+)\.(key|crt) \}/g,
        (all, tls: string, name: string, ext: string) => {
          if (name === 'ca') return all;
          if (!leaves.has(name)) {
            hide(`the old key of ${name}`, fs.readFileSync(path.join(tls, `${name}.key`), 'utf8'));
            const leaf = newLeaf(tls, name);
            hide(`the new key of ${name}`, fs.readFileSync(leaf.key, 'utf8'));
            leaves.set(name, leaf);
          }
          const leaf = leaves.get(name)!;
          return `{ file: ${ext === 'key' ? leaf.key : leaf.crt} }`;
        },
      );
      assert.ok(
        !/\/secrets\/|\/tls\/(?!ca\.crt)/.test(text),
        `every secret and key replaced:\n${text}`,
      );
      assert.ok(leaves.size >= 3, `keys rotated: ${[...leaves.keys()].join(', ')}`);
      inventory = path.join(work, 'rotated.yml');
      fs.writeFileSync(inventory, text);
    });
    after(() => {
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it('diff and apply --check --diff at -v, -vv and -vvv, text and JSON, with --out: the rotation is planned; nothing changes', () => {
      for (const v of ['-v', '-vv', '-vvv']) {
        for (const format of ['text', 'json']) {
          const out = path.join(work, `plan${v}.${format}.json`);
          const d = keep(
            `diff ${v} --format ${format}`,
            runCli(['diff', v, '--format', format, '--out', out, '-i', inventory]),
          );
          assert.equal(d.code, 2, d.out);
          outputs.push([
            `the plan file of diff ${v} --format ${format}`,
            fs.readFileSync(out, 'utf8'),
          ]);
          assert.equal(fs.statSync(out).mode & 0o777, 0o600, 'a plan file is private');
        }
        const c = keep(
          `apply --check --diff ${v}`,
          runCli(['apply', '--check', '--diff', v, '-i', inventory]),
        );
        assert.equal(c.code, 0, c.out);
      }
      const text = outputs.find(([l]) => l === 'diff -v --format text')![1];
      assert.match(text, /^ {6}-DB_PASSWORD=\*{8}$/m, 'the rotation shows, masked');
      assert.match(
        text,
        /secret-fingerprints[^\n]*\n(?:[^\n]*\n)*? {6}@@ content not shown: secret fingerprints @@/,
      );
    });

    it('apply --diff -vvv rotates everything; status (text, JSON) is healthy on the new secrets; a second apply changes nothing', async () => {
      const a = keep('apply --diff -vvv', runCli(['apply', '--diff', '-vvv', '-i', inventory]));
      if (a.code !== 0) assert.fail(await lab.explain(a.out));
      await fingerprints('new');
      for (const format of ['text', 'json']) {
        let s = runCli(['status', '--format', format, '-i', inventory]);
        // A replica reconnects with its new password on its own retry.
        for (let i = 0; i < 30 && s.code !== 0; i++) {
          await new Promise((res) => setTimeout(res, 1000));
          s = runCli(['status', '--format', format, '-i', inventory]);
        }
        keep(`status --format ${format}`, s);
        assert.equal(s.code, 0, s.out);
      }
      const again = keep('apply -vv (converged)', runCli(['apply', '-vv', '-i', inventory]));
      assert.equal(again.code, 0, again.out);
      assert.doesNotMatch(again.out, /^changed: /m, again.out);
    });

    it('no output, plan file or host temp folder holds an old value, a new one or a fingerprint', async () => {
      assert.ok(outputs.length >= 14, `outputs checked: ${outputs.length}`);
      for (const [label, text] of outputs)
        for (const [value, what] of hidden)
          assert.ok(!text.includes(value), `${what} is in the output of ${label}`);
      const patterns = [...hidden.keys()].map((v) => `'${v}'`).join(' ');
      for (const h of lab.hosts) {
        const r = await lab.ssh(
          h.name,
          `printf '%s\\n' ${patterns} | sudo grep -rlF -f - /tmp /var/tmp 2>/dev/null; true`,
        );
        assert.equal(r.stdout.trim(), '', `${h.name}: a secret is left in ${r.stdout}`);
      }
    });
  });
