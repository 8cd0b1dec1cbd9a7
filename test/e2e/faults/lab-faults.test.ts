import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, editedProjectCopy, runCli } from '../../support/cli';
import { httpRequest, requestLoop as loopRequests } from '../../support/http';
import { useE2eLab, type E2eLab } from '../../support/lab';

/**
 * Issue 8: faults injected on real lab hosts, with the whole site applied
 * first. Each case is named after its fault; each leaves the site converged
 * for the next one.
 */
describe('e2e faults on the live site', function () {
  this.timeout(10 * 60_000);
  let lab: E2eLab;
  let work: string;
  let lb: string;
  const request = (url: string) => httpRequest(url, { ca: lab.caPath });

  const run = runCli;
  /** The CLI in the background, its output gathered. */
  const start = (args: string[], env: NodeJS.ProcessEnv = process.env) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    return { child, output: () => out, exited };
  };
  const sh = async (host: string, command: string) => (await lab.ssh(host, command)).stdout;
  const sha = async (host: string, file: string) =>
    (await sh(host, `sudo sha256sum ${file} 2>&1`)).trim();
  /** The ids of the processes named `name` (a reload starts new workers). */
  const pids = async (host: string, name: string) =>
    (await sh(host, `pgrep -x ${name} | sort | tr '\\n' ' '`)).trim();
  const tempFiles = async (host: string) =>
    (
      await sh(
        host,
        `sudo find / -xdev \\( -name '.*.foobar-??????' -o -name 'foobar-infra-check.*' \\) 2>/dev/null; true`,
      )
    ).trim();
  const converge = () => {
    const r = run(['apply', '-i', lab.inventoryPath]);
    assert.equal(r.code, 0, r.out);
    return r;
  };
  const until = async (check: () => Promise<boolean> | boolean, ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end;) {
      if (await check()) return true;
      await new Promise((res) => setTimeout(res, 100));
    }
    return false;
  };
  /** Requests through the lb until stopped: every failure is kept. */
  const requestLoop = () => loopRequests(`${lb}/healthz`, { ca: lab.caPath });
  /** A small project (playbook and files) for one fault. */
  const project = (name: string, playbook: string, files: Record<string, string | Buffer> = {}) => {
    const dir = path.join(work, name);
    fs.mkdirSync(path.join(dir, 'playbooks'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'templates'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
    for (const [f, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), content);
    }
    const file = path.join(dir, 'playbooks', 'fault.yml');
    fs.writeFileSync(file, playbook);
    return file;
  };
  const bothUp = async () =>
    until(async () => {
      const seen = new Set<string>();
      for (let j = 0; j < 4; j++) seen.add((await request(`${lb}/`)).servedBy);
      return seen.size === 2;
    }, 20_000);

  before(async function () {
    lab = await useE2eLab(this);
    await lab.resetToSite();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-faults-'));
    lb = `https://${lab.host('lb-01').address}`;
    converge();
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("fault 1: an invalid HAProxy config from a template: the live file unchanged, no reload, non-zero exit, HAProxy's error shown", async () => {
    const playbook = editedProjectCopy(work, 'haproxy.cfg.hbs', (t) =>
      t.replace('    balance roundrobin\n', '    balance roundrobin\n    no_such_keyword on\n'),
    );
    const before = await sha('lb-01', '/etc/haproxy/haproxy.cfg');
    const workers = await pids('lb-01', 'haproxy');
    const r = run(['apply', '-i', lab.inventoryPath, playbook]);
    assert.equal(r.code, 3, r.out);
    assert.match(r.out, /\[ALERT\].*unknown keyword 'no_such_keyword'/);
    assert.equal(await sha('lb-01', '/etc/haproxy/haproxy.cfg'), before);
    assert.equal(await pids('lb-01', 'haproxy'), workers, 'HAProxy was not reloaded');
    assert.equal(await tempFiles('lb-01'), '');
  });

  it('fault 2: an invalid Nginx config: the live files unchanged, and the old workers serve throughout (a request loop sees no failure)', async () => {
    const playbook = editedProjectCopy(work, 'nginx.conf.hbs', (t) =>
      t.replace(/(\n\s*keepalive_timeout [^\n]*\n)/, '$1    no_such_directive on;\n'),
    );
    await bothUp();
    const before = [
      await sha('web-01', '/etc/nginx/nginx.conf'),
      await sha('web-02', '/etc/nginx/nginx.conf'),
    ];
    const workers = [await pids('web-01', 'nginx'), await pids('web-02', 'nginx')];
    const loop = requestLoop();
    const apply = start(['apply', '-i', lab.inventoryPath, playbook]);
    const code = await apply.exited;
    const { count, failures } = await loop.stop();
    assert.equal(code, 3, apply.output());
    assert.match(apply.output(), /unknown directive "no_such_directive"/);
    assert.deepEqual(
      [await sha('web-01', '/etc/nginx/nginx.conf'), await sha('web-02', '/etc/nginx/nginx.conf')],
      before,
    );
    assert.deepEqual(
      [await pids('web-01', 'nginx'), await pids('web-02', 'nginx')],
      workers,
      'the old workers still run: no reload',
    );
    assert.ok(count > 5, `only ${count} requests`);
    assert.deepEqual(failures, [], `${failures.length} of ${count} requests failed`);
  });

  it('fault 3: the link cut during a large upload: the destination is old or new, never a mix; the next run leaves no temp file and converges', async () => {
    const big = randomBytes(12_000_000);
    const playbook = project(
      'upload',
      [
        '- name: A large upload',
        '  hosts: web-02',
        '  tasks:',
        '    - name: The large file',
        "      copy: { src: big.bin, dest: /opt/big.bin, mode: '0644' }",
        '',
      ].join('\n'),
      { 'files/big.bin': big },
    );
    const veth = lab.host('web-02').veth;
    // Slow the link to web-02 so that the cut lands mid-transfer.
    execFileSync('tc', [
      'qdisc',
      'add',
      'dev',
      veth,
      'root',
      'tbf',
      'rate',
      '16mbit',
      'burst',
      '64kbit',
      'latency',
      '400ms',
    ]);
    try {
      const apply = start(['apply', '-i', lab.inventoryPath, playbook]);
      const partial = await until(async () => {
        const size = Number(
          (
            await sh(
              'web-02',
              "sudo sh -c 'stat -c %s /opt/.big.bin.foobar-* 2>/dev/null || echo 0'",
            )
          ).trim(),
        );
        return size > 1_000_000;
      }, 30_000);
      assert.ok(partial, 'the upload did not start');
      execFileSync('ip', ['link', 'set', veth, 'down']);
      const code = await apply.exited;
      assert.equal(code, 4, apply.output());
      assert.match(apply.output(), /web-02\s+: ok=0 changed=0 unreachable=1/);
    } finally {
      execFileSync('ip', ['link', 'set', veth, 'up']);
      execFileSync('tc', ['qdisc', 'del', 'dev', veth, 'root']);
    }
    const after = (await sh('web-02', 'sudo sha256sum /opt/big.bin 2>&1')).trim();
    assert.match(after, /No such file/, 'a new file is absent until whole');
    const again = run(['apply', '-i', lab.inventoryPath, playbook]);
    assert.equal(again.code, 0, again.out);
    assert.equal(
      (await sh('web-02', 'sudo sha256sum /opt/big.bin')).split(' ')[0],
      createHash('sha256').update(big).digest('hex'),
    );
    assert.equal(await tempFiles('web-02'), '');
    assert.match(
      run(['apply', '-i', lab.inventoryPath, playbook]).out,
      /web-02\s+: ok=1 changed=0/,
    );
  });

  it('fault 16: a symbolic link where a folder of a copied tree goes: refused, naming it, and the folder it points to keeps its mode and gets nothing; with delete: true the link (only) is replaced by the folder', async () => {
    const play = (del: boolean) =>
      [
        '- name: A tree',
        '  hosts: web-02',
        '  tasks:',
        '    - name: The tree',
        `      copy: { src: tree, dest: /opt/linktest, dir_mode: '0755', owner: root, delete: ${del} }`,
        '',
      ].join('\n');
    const files = { 'files/tree/sub/a.txt': 'wanted\n' };
    await sh(
      'web-02',
      'sudo rm -rf /opt/linktest /opt/elsewhere && sudo mkdir -m 0700 /opt/elsewhere /opt/linktest && echo theirs | sudo tee /opt/elsewhere/keep >/dev/null && sudo ln -s /opt/elsewhere /opt/linktest/sub',
    );
    const refused = run([
      'apply',
      '-i',
      lab.inventoryPath,
      project('link-tree', play(false), files),
    ]);
    assert.equal(refused.code, 3, refused.out);
    assert.match(
      refused.out,
      /\/opt\/linktest\/sub is a symbolic link where a folder of the tree goes/,
    );
    const elsewhere = "sudo stat -c '%a %U' /opt/elsewhere; sudo ls /opt/elsewhere";
    assert.equal((await sh('web-02', elsewhere)).trim(), '700 root\nkeep');
    const replaced = run([
      'apply',
      '-i',
      lab.inventoryPath,
      project('link-tree-delete', play(true), files),
    ]);
    assert.equal(replaced.code, 0, replaced.out);
    assert.equal((await sh('web-02', 'sudo stat -c %F /opt/linktest/sub')).trim(), 'directory');
    assert.equal((await sh('web-02', 'sudo cat /opt/linktest/sub/a.txt')).trim(), 'wanted');
    assert.equal((await sh('web-02', elsewhere)).trim(), '700 root\nkeep');
    await sh('web-02', 'sudo rm -rf /opt/linktest /opt/elsewhere');
  });

  it('fault 4: the destination disk full: the write fails before the swap, the original is intact, the error names host and path, the other hosts finish', async () => {
    const playbook = project(
      'full',
      [
        '- name: A file too big for one host',
        '  hosts: web',
        '  tasks:',
        '    - name: The data folder',
        '      file: { path: /opt/fault4, state: directory }',
        '    - name: The data file',
        "      copy: { src: data.bin, dest: /opt/fault4/data.bin, mode: '0644' }",
        '',
      ].join('\n'),
      { 'files/data.bin': randomBytes(256 * 1024) },
    );
    await sh(
      'web-02',
      "sudo sh -c 'mkdir -p /opt/fault4 && mount -t tmpfs -o size=64k tmpfs /opt/fault4 && echo original > /opt/fault4/data.bin'",
    );
    try {
      const r = run(['apply', '-i', lab.inventoryPath, playbook]);
      assert.equal(r.code, 3, r.out);
      assert.match(
        r.out,
        /failed: \[web-02\] The data file\n {2}dd: .*No space left on device\n {2}cannot write \/opt\/fault4\/data\.bin\n/,
      );
      assert.match(r.out, /web-01\s+: ok=0 changed=2 unreachable=0 failed=0/);
      assert.equal((await sh('web-02', 'cat /opt/fault4/data.bin')).trim(), 'original');
      assert.equal(
        (await sh('web-02', 'ls -a /opt/fault4')).trim().split('\n').sort().join(' '),
        '. .. data.bin',
      );
    } finally {
      await sh('web-02', 'sudo umount /opt/fault4; sudo rm -rf /opt/fault4');
      await sh('web-01', 'sudo rm -rf /opt/fault4');
    }
  });

  it('fault 5: one host unreachable: UNREACHABLE in the recap, the others converge, the exit says so, the connect timeout is bounded; with any_errors_fatal nothing changes after it', async () => {
    const veth = lab.host('web-02').veth;
    const inventory = path.join(work, 'short-timeout.yml');
    fs.writeFileSync(
      inventory,
      fs
        .readFileSync(lab.inventoryPath, 'utf8')
        .replace('  vars:\n', '  vars:\n    ssh_connect_timeout: 3\n'),
    );
    const marker = project(
      'marker',
      [
        '- name: Markers',
        '  hosts: all',
        '  tasks:',
        '    - name: A marker file',
        "      copy: { src: marker, dest: /etc/foobar-fault5, mode: '0644' }",
        '',
      ].join('\n'),
      { 'files/marker': 'fault 5\n' },
    );
    const fatal = project(
      'fatal',
      [
        '- name: Markers, fatal',
        '  hosts: all',
        '  any_errors_fatal: true',
        '  tasks:',
        '    - name: A marker file',
        "      copy: { src: marker, dest: /etc/foobar-fault5-fatal, mode: '0644' }",
        '- name: After the failure',
        '  hosts: all',
        '  tasks:',
        '    - name: Another marker',
        "      copy: { src: marker, dest: /etc/foobar-fault5-after, mode: '0644' }",
        '',
      ].join('\n'),
      { 'files/marker': 'fatal\n' },
    );
    execFileSync('ip', ['link', 'set', veth, 'down']);
    try {
      const started = Date.now();
      const r = run(['apply', '-i', inventory, marker]);
      const took = Date.now() - started;
      assert.equal(r.code, 4, r.out);
      assert.match(r.out, /web-02\s+: ok=0 changed=0 unreachable=1/);
      assert.match(r.out, /lb-01\s+: ok=0 changed=1/);
      assert.match(r.out, /web-01\s+: ok=0 changed=1/);
      assert.ok(took < 15_000, `took ${took} ms with a 3 s connect timeout`);

      const f = run(['apply', '-i', inventory, fatal]);
      assert.equal(f.code, 4, f.out);
      assert.match(f.out, /stopping: any_errors_fatal/);
      for (const h of ['lb-01', 'web-01'])
        assert.match(
          await sh(h, 'ls /etc/foobar-fault5-after 2>&1; true'),
          /No such file/,
          `${h} ran the next play`,
        );
    } finally {
      execFileSync('ip', ['link', 'set', veth, 'up']);
    }
    for (const h of ['lb-01', 'web-01', 'web-02'])
      await sh(
        h,
        'sudo rm -f /etc/foobar-fault5 /etc/foobar-fault5-fatal /etc/foobar-fault5-after',
      );
  });

  it('fault 7: an unknown host key without --accept-new is refused before authentication, naming the host', async () => {
    const inventory = path.join(work, 'empty-known-hosts.yml');
    const knownHosts = path.join(work, 'known_hosts.empty');
    fs.writeFileSync(knownHosts, '');
    fs.writeFileSync(
      inventory,
      fs
        .readFileSync(lab.inventoryPath, 'utf8')
        .replace(/ssh_known_hosts: .*/, `ssh_known_hosts: ${knownHosts}`),
    );
    const r = run(['apply', '-i', inventory, '--limit', 'lb-01']);
    assert.equal(r.code, 4, r.out);
    assert.match(r.out, /unreachable: \[lb-01\].*(unknown|not in).*known_hosts.*--accept-new/i);
    assert.equal(fs.readFileSync(knownHosts, 'utf8'), '', 'nothing was trusted');
  });

  it('faults 8 and 9: a canary secret and a sudo password never appear in process lists on the hosts during a run', async () => {
    const canary = `canary-${randomBytes(10).toString('hex')}`;
    const sudoPassword = `sudo-${randomBytes(10).toString('hex')}`;
    const host = lab.host('lb-01');
    // lb-01's deploy user now needs a password for sudo.
    const sudoers = path.join(host.rootPath, 'etc', 'sudoers.d', 'foobar-lab-deploy');
    const original = fs.readFileSync(sudoers, 'utf8');
    await sh('lb-01', `echo 'deploy:${sudoPassword}' | sudo chpasswd`);
    fs.writeFileSync(sudoers, original.replace('NOPASSWD: ', ''));
    const inventory = path.join(work, 'canary-sudo.yml');
    fs.writeFileSync(
      inventory,
      fs
        .readFileSync(lab.inventoryPath, 'utf8')
        .replace(
          /lb-01: \{ address: ([0-9.]+) \}/,
          'lb-01: { address: $1, become_password: { env: FOOBAR_E2E_SUDO } }',
        )
        .replace(/mysql_app_password: \{[^}]*\}/, 'mysql_app_password: { env: FOOBAR_E2E_CANARY }'),
    );
    const playbook = project(
      'canary',
      [
        '- name: Secrets in flight',
        '  hosts: all',
        '  tasks:',
        '    - name: A command that holds the canary for a while',
        `      command: { cmd: "X='{{mysql_app_password}}'; sleep 3; test -n \\"$X\\"" }`,
        '    - name: A file that holds it',
        "      template: { src: canary.hbs, dest: /etc/foobar-canary, mode: '0600' }",
        '',
      ].join('\n'),
      { 'templates/canary.hbs': 'secret={{mysql_app_password}}\n' },
    );
    const env = { ...process.env, FOOBAR_E2E_CANARY: canary, FOOBAR_E2E_SUDO: sudoPassword };
    try {
      const apply = start(['apply', '-i', inventory, playbook, '--diff', '-vvv'], env);
      const seen: string[] = [];
      let polls = 0;
      let done = false;
      void apply.exited.then(() => (done = true));
      while (!done) {
        for (const h of lab.hosts) {
          const ps = await sh(h.name, 'ps -eo args');
          seen.push(
            ...ps.split('\n').filter((l) => l.includes(canary) || l.includes(sudoPassword)),
          );
        }
        polls++;
      }
      const code = await apply.exited;
      assert.equal(code, 0, apply.output());
      assert.ok(polls >= 3, `only ${polls} process listings`);
      assert.deepEqual(seen, [], 'a secret was in a process list');
      assert.ok(!apply.output().includes(canary) && !apply.output().includes(sudoPassword));
      assert.match(apply.output(), /changed: \[lb-01\] A file that holds it/);
    } finally {
      fs.writeFileSync(sudoers, original);
    }
    for (const h of lab.hosts) {
      assert.equal(
        (
          await sh(
            h.name,
            `sudo sh -c "grep -rl -- '${canary}' /tmp /var/tmp /var/lib/foobar-infra /run/lock 2>/dev/null; true"`,
          )
        ).trim(),
        '',
      );
      await sh(h.name, 'sudo rm -f /etc/foobar-canary');
    }
  });

  it('fault 10: two applies at once: the second is refused with a clear message; the lock is freed when the holder dies', async () => {
    const slow = project(
      'slow',
      [
        '- name: Slow',
        '  hosts: all',
        '  tasks:',
        '    - name: A slow step',
        '      command: { cmd: sleep 20 }',
        '',
      ].join('\n'),
    );
    const first = start(['apply', '-i', lab.inventoryPath, slow]);
    assert.ok(await until(() => /A slow step|PLAY \[Slow\]/.test(first.output()), 20_000));
    await new Promise((res) => setTimeout(res, 1500));
    const second = run(['apply', '-i', lab.inventoryPath]);
    assert.equal(second.code, 5, second.out);
    assert.match(
      second.out,
      /lb-01: another foobar-infra run holds this host's lock \(exclusive since \S+ by apply by \S+@\S+ pid \d+\)/,
    );
    const diff = run(['diff', '-i', lab.inventoryPath]);
    assert.equal(diff.code, 1, 'diff does not plan beside a running apply');
    first.child.kill('SIGKILL');
    await first.exited;
    const third = run(['apply', '-i', lab.inventoryPath]);
    assert.equal(third.code, 0, `the dead holder's lock was not freed:\n${third.out}`);
  });

  it('fault 11: mysqld on the replica killed with -9 under a steady write load: replication resumes without errors and the checksums match', async () => {
    const mysql = (host: string, sql: string) => sh(host, `sudo mysql -N -e "${sql}"`);
    const before = Number((await mysql('web-01', 'SELECT COUNT(*) FROM foobar.messages')).trim());
    // A steady stream of single-row transactions on the primary, for several seconds.
    const load = lab.ssh(
      'web-01',
      `sudo sh -c 'i=0; while [ $i -lt 1500 ]; do i=$((i+1)); echo "INSERT INTO foobar.messages (text, host) VALUES (\\"load $i\\", \\"fault11\\"); DO SLEEP(0.003);"; done | mysql'`,
    );
    await new Promise((res) => setTimeout(res, 1500));
    const killed = await pids('web-02', 'mysqld');
    assert.notEqual(killed, '');
    await sh('web-02', 'sudo pkill -9 -x mysqld');
    // systemd restarts it (Restart=on-failure); if the unit does not, the operator would.
    const restarted = await until(
      async () => (await lab.ssh('web-02', 'systemctl is-active mysql')).stdout.trim() === 'active',
      30_000,
    );
    if (!restarted) await sh('web-02', 'sudo systemctl start mysql');
    const now = await pids('web-02', 'mysqld');
    assert.ok(now !== '' && now !== killed, `mysqld was not restarted (${killed} → ${now})`);
    const loaded = await load;
    assert.equal(loaded.code, 0, loaded.stderr);
    const gtids = (await mysql('web-01', 'SELECT @@GLOBAL.gtid_executed'))
      .trim()
      .replace(/\n/g, '');
    const waited = await mysql('web-02', `SELECT WAIT_FOR_EXECUTED_GTID_SET('${gtids}', 120)`);
    assert.equal(waited.trim(), '0', 'the replica caught up');
    const status = await sh('web-02', 'sudo mysql --vertical -e "SHOW REPLICA STATUS"');
    assert.match(status, /Replica_IO_Running: Yes/);
    assert.match(status, /Replica_SQL_Running: Yes/);
    assert.match(status, /Last_IO_Errno: 0/);
    assert.match(status, /Last_SQL_Errno: 0/);
    const sum = async (h: string) => (await mysql(h, 'CHECKSUM TABLE foobar.messages')).trim();
    assert.equal(await sum('web-02'), await sum('web-01'));
    assert.equal(
      Number((await mysql('web-02', 'SELECT COUNT(*) FROM foobar.messages')).trim()),
      before + 1500,
    );
  });

  it('fault 12: a write on the replica by an admin user is rejected, and the replication user has exactly the minimum grants', async () => {
    const write = await lab.ssh(
      'web-02',
      `sudo mysql -e "INSERT INTO foobar.messages (text) VALUES ('on the replica')"`,
    );
    assert.notEqual(write.code, 0);
    assert.match(write.stderr, /super-read-only|read-only/i);
    const grants = await sh(
      'web-01',
      `sudo mysql -N -e "SELECT CONCAT(user,'@',host) FROM mysql.user WHERE user LIKE 'repl%'"`,
    );
    const accounts = grants.trim().split('\n').filter(Boolean);
    assert.ok(accounts.length > 0, 'a replication account exists');
    for (const account of accounts) {
      const [user, host] = account.split('@');
      const shown = await sh('web-01', `sudo mysql -N -e "SHOW GRANTS FOR '${user}'@'${host}'"`);
      assert.deepEqual(shown.trim().split('\n'), [
        `GRANT REPLICATION SLAVE ON *.* TO \`${user}\`@\`${host}\``,
      ]);
    }
  });

  it('fault 15: Ctrl-C during apply: the step in flight finishes, the recap shows what ran, nothing is half-written, the next run converges', async () => {
    const playbook = editedProjectCopy(work, 'nginx.conf.hbs', (t) =>
      t.replace(
        'add_header X-Served-By',
        'add_header X-Fault-15 "yes" always;\n        add_header X-Served-By',
      ),
    );
    // A slow step right after nginx.conf: the signal lands while it runs.
    const site = fs.readFileSync(playbook, 'utf8');
    const slowed = site.replace(
      '    - name: Nginx runs at boot',
      "    - name: A slow step\n      command: { cmd: 'sleep 3; touch /etc/foobar-fault15', creates: /etc/foobar-fault15 }\n    - name: Nginx runs at boot",
    );
    assert.notEqual(slowed, site);
    fs.writeFileSync(playbook, slowed);
    const apply = start(['apply', '-i', lab.inventoryPath, playbook]);
    assert.ok(
      await until(() => /changed: \[web-01\] nginx\.conf/.test(apply.output()), 60_000),
      apply.output(),
    );
    apply.child.kill('SIGINT');
    const code = await apply.exited;
    const out = apply.output();
    assert.equal(code, 130, out);
    assert.match(out, /SIGINT: finishing the steps in flight/);
    assert.match(out, /note: interrupted: /);
    assert.match(out, /PLAY RECAP/);
    assert.doesNotMatch(out, /changed: \[web-02\]/, 'nothing started after the signal');
    for (const h of lab.hosts) assert.equal(await tempFiles(h.name), '', h.name);
    const next = run(['apply', '-i', lab.inventoryPath, playbook]);
    assert.equal(next.code, 0, next.out);
    assert.match(next.out, /handlers left pending by an earlier run: reload nginx/);
    assert.match(next.out, /changed: \[web-01\] handler reload nginx/, 'the pending reload ran');
    assert.match(next.out, /changed: \[web-02\] nginx\.conf/);
    const last = run(['apply', '-i', lab.inventoryPath, playbook]);
    for (const h of ['lb-01', 'web-01', 'web-02'])
      assert.match(last.out, new RegExp(`${h}\\s+: ok=\\d+ changed=0 `));
    for (const h of ['web-01', 'web-02']) await sh(h, 'sudo rm -f /etc/foobar-fault15');
    converge();
  });
});
