import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, fixture } from '../support/cli';
import { useE2eLab, type E2eLab } from '../support/lab';

const PLAYBOOK = fixture('playbooks', 'engine-e2e.yml');

/** Issue 4's acceptance on real hosts: check → apply → check, validation, crash recovery, host keys. */
describe('e2e: the engine on lab hosts (as deploy with become)', function () {
  // Real hosts: package installs and database start-up take many seconds.
  this.timeout(10 * 60_000);
  let lab: E2eLab;
  let inventory: string;
  let work: string;

  const apply = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, 'apply', '-i', inventory, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 10 * 60_000,
    });
    return { code: r.status, out: r.stdout + r.stderr };
  };
  const recap = (out: string, host: string) => {
    const m = new RegExp(
      `^${host}\\s+: ok=(\\d+) changed=(\\d+) unreachable=(\\d+) failed=(\\d+) skipped=(\\d+)`,
      'm',
    ).exec(out);
    assert.ok(m, `no recap line for ${host} in:\n${out}`);
    return { ok: +m[1]!, changed: +m[2]!, unreachable: +m[3]!, failed: +m[4]!, skipped: +m[5]! };
  };
  const sh = async (host: string, command: string) => {
    const r = await lab.ssh(host, command);
    return r.stdout.trim();
  };
  const hashes = async (host: string) =>
    sh(
      host,
      'sudo sh -c "sha256sum /etc/haproxy/haproxy.cfg /etc/foobar-e2e-marker 2>&1; dpkg -s haproxy >/dev/null 2>&1 && echo installed || echo bare"',
    );
  const reloads = async () =>
    sh('lb-01', 'sudo journalctl -u haproxy --no-pager -o cat | grep -c "^Reloaded " || true');

  before(async function () {
    lab = await useE2eLab(this);
    await lab.reset();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-e2e-engine-'));
    // Variants of the playbook are written here, beside copies of its templates and files.
    fs.cpSync(fixture('templates'), path.join(work, 'templates'), { recursive: true });
    fs.cpSync(fixture('files'), path.join(work, 'files'), { recursive: true });
    // The lab inventory, with the test playbook's own variables allowed.
    inventory = lab.inventoryPath;
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('1. apply --check reports changes and leaves every host untouched', async () => {
    const before = await Promise.all(lab.hosts.map((h) => hashes(h.name)));
    const r = apply('--check', PLAYBOOK);
    assert.equal(r.code, 0, r.out);
    assert.ok(recap(r.out, 'lb-01').changed >= 3, r.out);
    const after = await Promise.all(lab.hosts.map((h) => hashes(h.name)));
    assert.deepEqual(after, before);
    assert.match(after[0]!, /bare/);
  });

  it('2. apply changes the hosts, and the handler runs once', async () => {
    const r = apply(PLAYBOOK);
    assert.equal(r.code, 0, r.out);
    assert.equal(
      (r.out.match(/changed: \[lb-01\] handler reload haproxy/g) ?? []).length,
      1,
      r.out,
    );
    assert.match(await sh('lb-01', 'systemctl is-active haproxy'), /^active$/);
    assert.match(await sh('lb-01', 'sudo cat /etc/haproxy/haproxy.cfg'), /banner: one/);
    for (const h of lab.hosts)
      assert.match(
        await sh(h.name, 'sudo cat /etc/foobar-e2e-marker'),
        new RegExp(`host=${h.name}`),
      );
  });

  it('2b. copy, file and command work on the hosts: a tree, a link, a guarded command', async () => {
    for (const h of lab.hosts) {
      const listing = await sh(
        h.name,
        'sudo sh -c "cd /opt/foobar-e2e && find . | sort && readlink current && sha256sum releases/1/lib/util.js"',
      );
      assert.match(listing, /\.\/releases\/1\/index\.js/);
      assert.match(listing, /\.\/initialised/);
      assert.match(listing, /^\/opt\/foobar-e2e\/releases\/1$/m);
      const local = fs.readFileSync(fixture('files', 'app', 'lib', 'util.js'));
      assert.ok(listing.includes(createHash('sha256').update(local).digest('hex')));
    }
    // An extra file in the copied tree is removed (delete: true), and only that host changes.
    await sh('web-01', 'sudo touch /opt/foobar-e2e/releases/1/stray.txt');
    const r = apply(PLAYBOOK);
    assert.equal(r.code, 0, r.out);
    assert.match(
      r.out,
      /changed: \[web-01\] code base: remove \/opt\/foobar-e2e\/releases\/1\/stray\.txt/,
    );
    assert.equal(recap(r.out, 'web-01').changed, 1, r.out);
    assert.equal(recap(r.out, 'web-02').changed, 0, r.out);
    assert.equal(
      await sh(
        'web-01',
        'test -e /opt/foobar-e2e/releases/1/stray.txt && echo present || echo gone',
      ),
      'gone',
    );
  });

  it('3. a second apply reports changed=0 on every host', () => {
    const r = apply(PLAYBOOK);
    assert.equal(r.code, 0, r.out);
    for (const h of lab.hosts) assert.equal(recap(r.out, h.name).changed, 0, r.out);
  });

  it('4. apply --check after that reports no change', () => {
    const r = apply('--check', '--diff', PLAYBOOK);
    assert.equal(r.code, 0, r.out);
    for (const h of lab.hosts) assert.equal(recap(r.out, h.name).changed, 0, r.out);
    assert.doesNotMatch(r.out, /^\+\+\+ /m);
  });

  it('5. a candidate that fails validate leaves the live file byte for byte, reloads nothing, exits non-zero', async () => {
    const broken = path.join(work, 'broken.yml');
    fs.mkdirSync(path.join(work, 'templates'), { recursive: true });
    fs.copyFileSync(fixture('templates', 'marker.hbs'), path.join(work, 'templates', 'marker.hbs'));
    fs.writeFileSync(
      path.join(work, 'templates', 'lb-broken.cfg.hbs'),
      fs
        .readFileSync(fixture('templates', 'lb-e2e.cfg.hbs'), 'utf8')
        .replace('balance roundrobin', 'balance no-such-algorithm'),
    );
    fs.writeFileSync(
      broken,
      fs.readFileSync(PLAYBOOK, 'utf8').replace('src: lb-e2e.cfg.hbs', 'src: lb-broken.cfg.hbs'),
    );
    const live = await sh('lb-01', 'sudo sha256sum /etc/haproxy/haproxy.cfg');
    const reloadsBefore = await reloads();
    const r = apply(broken);
    assert.equal(r.code, 3, r.out);
    assert.match(r.out, /failed: \[lb-01\] haproxy\.cfg/);
    assert.match(r.out, /\[ALERT\].*balance only supports/, r.out);
    assert.equal(await sh('lb-01', 'sudo sha256sum /etc/haproxy/haproxy.cfg'), live);
    assert.equal(await reloads(), reloadsBefore);
    assert.equal(
      await sh('lb-01', 'sudo sh -c "ls -a /etc/haproxy | grep -c foobar- || true"'),
      '0',
      'no temp file left',
    );
  });

  it('6. killed after a file changed and before its handler: the next apply runs the handler', async () => {
    const slow = fixture('playbooks', 'engine-e2e-slow.yml');
    const edited = path.join(work, 'slow.yml');
    fs.writeFileSync(
      edited,
      fs.readFileSync(slow, 'utf8').replace('e2e_banner: one', 'e2e_banner: two'),
    );
    fs.mkdirSync(path.join(work, 'templates'), { recursive: true });
    fs.copyFileSync(
      fixture('templates', 'lb-e2e.cfg.hbs'),
      path.join(work, 'templates', 'lb-e2e.cfg.hbs'),
    );
    const child = spawn(process.execPath, [BIN, 'apply', '-i', inventory, edited], { cwd: ROOT });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no template change seen:\n${out}`)),
        5 * 60_000,
      );
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/changed: \[lb-01\] haproxy\.cfg/.test(out)) {
          child.kill('SIGKILL');
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));
    assert.match(await sh('lb-01', 'sudo cat /etc/haproxy/haproxy.cfg'), /banner: two/);
    assert.match(
      await sh('lb-01', 'sudo cat /var/lib/foobar-infra/pending-handlers'),
      /reload haproxy/,
    );
    const normal = path.join(work, 'normal.yml');
    fs.writeFileSync(
      normal,
      fs.readFileSync(PLAYBOOK, 'utf8').replace('e2e_banner: one', 'e2e_banner: two'),
    );
    const reloadsBefore = Number(await reloads());
    const r = apply(normal);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /handlers left pending by an earlier run: reload haproxy/);
    assert.match(r.out, /changed: \[lb-01\] handler reload haproxy/);
    assert.equal(Number(await reloads()), reloadsBefore + 1);
    assert.equal(
      await sh(
        'lb-01',
        'sudo sh -c "cat /var/lib/foobar-infra/pending-handlers 2>/dev/null | wc -l"',
      ),
      '0',
    );
  });

  it('7. a host whose SSH key changed is refused before authentication; the others complete', async () => {
    const victim = lab.host('web-02');
    await sh(
      victim.name,
      'sudo sh -c "mkdir -p /root/hostkeys && cp -p /etc/ssh/ssh_host_* /root/hostkeys/"',
    );
    // Regenerate the host keys; the ssh session doing it may be cut by the restart.
    await lab
      .ssh(
        victim.name,
        'sudo sh -c "rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null && systemctl restart ssh"',
      )
      .catch(() => undefined);
    // The hosts share this machine's clock: the journal window of the refused run.
    const since = Date.now() / 1000;
    let until = since;
    try {
      const r = apply(PLAYBOOK);
      until = Date.now() / 1000;
      assert.equal(r.code, 4, r.out);
      assert.match(
        r.out,
        new RegExp(`unreachable: \\[${victim.name}\\].*HOST KEY CHANGED.*known_hosts:\\d+`),
        r.out,
      );
      assert.equal(recap(r.out, victim.name).unreachable, 1);
      for (const other of ['lb-01', 'web-01'])
        assert.equal(recap(r.out, other).failed + recap(r.out, other).unreachable, 0, r.out);
    } finally {
      // Put the original keys back, trusting the new key once for this repair only.
      const repair = spawnSync(
        'ssh',
        [
          '-o',
          'StrictHostKeyChecking=no',
          '-o',
          'UserKnownHostsFile=/dev/null',
          '-o',
          'LogLevel=ERROR',
          '-o',
          'BatchMode=yes',
          '-i',
          lab.keyPath,
          `deploy@${victim.address}`,
          'sudo sh -c "cp -p /root/hostkeys/ssh_host_* /etc/ssh/ && systemctl restart ssh"',
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      assert.equal(repair.status, 0, repair.stderr);
    }
    // During the refused run, sshd saw no authentication at all.
    const log = await sh(victim.name, 'sudo journalctl -u ssh --no-pager -o short-unix');
    const window = log.split('\n').filter((l) => {
      const t = Number(l.split(' ')[0]);
      return t >= since && t <= until;
    });
    assert.ok(
      !window.some((l) => /Accepted|Failed publickey|authenticating user/.test(l)),
      window.join('\n'),
    );
  });
});
