import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planDocumentSchema, type PlanDocument } from '../../src/report/plan-schema';
import { BIN, ROOT, editedProjectCopy, runCli } from '../support/cli';
import { useE2eLab, type E2eLab } from '../support/lab';

/**
 * Issue 7 on real hosts: `diff` against the live site. Exit codes 0/2/1, the
 * reverse diff of a hand edit, candidates validated on the host, a canary
 * secret that appears nowhere, the JSON schema, and a host state that `diff`
 * never changes.
 */
describe('e2e: diff for CI on the live site', function () {
  this.timeout(10 * 60_000);
  let lab: E2eLab;
  let work: string;

  const run = runCli;
  const sh = async (host: string, command: string) => (await lab.ssh(host, command)).stdout;

  /** Files the site manages per host, from the tool's own offline render. */
  let managed: Record<string, string[]>;

  /**
   * Everything `diff` must leave alone: the hash of every managed file, the
   * installed packages, the state and process ids of every service (a reload
   * starts new HAProxy/Nginx workers), and the tool's state folder.
   */
  const snapshot = async () => {
    const out: Record<string, string> = {};
    for (const h of lab.hosts) {
      const files = managed[h.name]!.map((f) => `'${f}'`).join(' ');
      out[h.name] = await sh(
        h.name,
        `sudo sh -c "sha256sum ${files} 2>&1; dpkg-query -W -f '\\\${Package} \\\${Version}\\n' | sha256sum; ` +
          `systemctl show -p Id,ActiveState,SubState,MainPID,ExecMainStartTimestamp haproxy nginx mysql mariadb foobar-app 2>/dev/null; ` +
          `pgrep -a 'haproxy|nginx|mysqld|mariadbd|node' | sort; ls -la /var/lib/foobar-infra 2>&1; ` +
          `find /tmp /var/tmp /etc /opt -xdev \\( -name 'foobar-infra-check.*' -o -name '.*.foobar-*' \\) 2>/dev/null"`,
      );
    }
    return out;
  };

  const planOf = (json: string): PlanDocument => planDocumentSchema.parse(JSON.parse(json));

  before(async function () {
    lab = await useE2eLab(this);
    await lab.resetToSite();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-e2e-diff-'));
    const r = run(['apply', '-i', lab.inventoryPath]);
    if (r.code !== 0) assert.fail(await lab.explain(r.out));
    const rendered = path.join(work, 'render');
    assert.equal(run(['render', '-i', lab.inventoryPath, '--out', rendered]).code, 0);
    managed = {};
    for (const h of lab.hosts) {
      const root = path.join(rendered, h.name);
      managed[h.name] = (fs.readdirSync(root, { recursive: true }) as string[])
        .filter((f) => fs.statSync(path.join(root, f)).isFile())
        .map((f) => `/${f}`);
      assert.ok(managed[h.name]!.length > 0, `${h.name} has managed files`);
    }
  });
  after(async () => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('1 and 7. on the converged site, diff exits 0 with no diff, and changes nothing on any host', async () => {
    const before = await snapshot();
    const r = run(['diff', '-i', lab.inventoryPath]);
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.stdout, /^\s*(---|\+\+\+|@@) /m, 'no diff');
    assert.match(r.stdout, /^converged: lb-01, web-01, web-02$/m);
    assert.match(r.stdout, /Exit 0: converged\./);
    assert.deepEqual(await snapshot(), before);
  });

  it('2. a hand edit of haproxy.cfg: diff exits 2 with exactly its reverse diff, changing nothing; apply repairs it; diff exits 0', async () => {
    await sh(
      'lb-01',
      "sudo sed -i 's/^    balance roundrobin$/    balance leastconn/' /etc/haproxy/haproxy.cfg",
    );
    const before = await snapshot();
    const out = path.join(work, 'plan.json');
    const r = run(['diff', '-i', lab.inventoryPath, '--out', out]);
    assert.equal(r.code, 2, r.out);
    assert.deepEqual(await snapshot(), before, 'diff changed nothing');

    const plan = planOf(fs.readFileSync(out, 'utf8'));
    assert.equal(plan.status, 'changes');
    assert.equal(plan.exitCode, 2);
    assert.deepEqual(
      plan.hosts.map((h) => [h.name, h.status]),
      [
        ['lb-01', 'changes'],
        ['web-01', 'converged'],
        ['web-02', 'converged'],
      ],
    );
    const [file, reload] = plan.hosts[0]!.changes;
    assert.equal(plan.hosts[0]!.changes.length, 2, JSON.stringify(plan.hosts[0]));
    assert.equal(file!.path, '/etc/haproxy/haproxy.cfg');
    assert.equal(file!.action, 'update');
    assert.deepEqual(
      file!.diff!.hunks.filter((l) => /^[-+]/.test(l)),
      ['-    balance leastconn', '+    balance roundrobin'],
    );
    assert.equal(file!.validation?.status, 'passed', 'the candidate was validated on the host');
    assert.equal(reload!.kind, 'service');
    assert.equal(reload!.action, 'reload');
    assert.equal(reload!.handler, true);
    // The text shows the same, once.
    assert.match(r.stdout, /^lb-01: 2 changes$/m);
    assert.match(r.stdout, /^ {6}- {4}balance leastconn$/m);
    assert.match(r.stdout, /^ {6}\+ {4}balance roundrobin$/m);

    const a = run(['apply', '-i', lab.inventoryPath]);
    assert.equal(a.code, 0, a.out);
    assert.match(
      await sh('lb-01', 'sudo cat /etc/haproxy/haproxy.cfg'),
      /^ {4}balance roundrobin$/m,
    );
    const again = run(['diff', '-i', lab.inventoryPath]);
    assert.equal(again.code, 0, again.out);
  });

  it("3. a template that makes HAProxy's config invalid: diff exits 1 with HAProxy's own error; the live file and the service are untouched", async () => {
    const broken = editedProjectCopy(work, 'haproxy.cfg.hbs', (t) =>
      t.replace('    balance roundrobin\n', '    balance roundrobin\n    no_such_keyword on\n'),
    );
    const before = await snapshot();
    const r = run(['diff', '-i', lab.inventoryPath, broken, '--format', 'json']);
    assert.equal(r.code, 1, r.out);
    const plan = planOf(r.stdout);
    assert.equal(plan.status, 'error');
    const lb = plan.hosts.find((h) => h.name === 'lb-01')!;
    assert.equal(lb.status, 'failed');
    const file = lb.changes.find((c) => c.path === '/etc/haproxy/haproxy.cfg')!;
    assert.equal(file.validation?.status, 'failed');
    assert.match(file.validation!.output!, /\[ALERT\].*unknown keyword 'no_such_keyword'/);
    assert.match(lb.failures[0]!.message, /haproxy -c -f/);
    assert.deepEqual(await snapshot(), before, 'live file, services and temp folders untouched');
  });

  it('4. a canary secret appears nowhere: diff (text, JSON, --out), apply --diff -vvv, render, failures, and temp files on the hosts', async () => {
    const canary = `canary-${randomBytes(12).toString('hex')}`;
    const env = { ...process.env, FOOBAR_E2E_CANARY: canary };
    const inventory = path.join(work, 'canary.yml');
    fs.writeFileSync(
      inventory,
      fs
        .readFileSync(lab.inventoryPath, 'utf8')
        .replace(/mysql_app_password: \{[^}]*\}/, 'mysql_app_password: { env: FOOBAR_E2E_CANARY }'),
    );
    assert.match(fs.readFileSync(inventory, 'utf8'), /FOOBAR_E2E_CANARY/);
    // A playbook whose task and validator print the secret, and fail.
    const fail = path.join(work, 'canary-fail');
    fs.mkdirSync(path.join(fail, 'playbooks'), { recursive: true });
    fs.mkdirSync(path.join(fail, 'templates'), { recursive: true });
    fs.writeFileSync(
      path.join(fail, 'templates', 'canary.conf.hbs'),
      'password = {{mysql_app_password}}\n',
    );
    const failBook = path.join(fail, 'playbooks', 'fail.yml');
    fs.writeFileSync(
      failBook,
      [
        '- name: Canary in a validator',
        '  hosts: web-01',
        '  tasks:',
        '    - name: A file whose validator prints it',
        '      template:',
        '        src: canary.conf.hbs',
        '        dest: /etc/foobar-canary.conf',
        '        mode: "0600"',
        `        validate: sh -c 'cat "$1"; cat "$1" >&2; exit 1' sh %s`,
        '- name: Canary in a command',
        '  hosts: web-02',
        '  tasks:',
        '    - name: A command that prints it and fails',
        '      command:',
        `        cmd: "echo 'password is {{mysql_app_password}}'; echo '{{mysql_app_password}}' >&2; exit 3"`,
        '',
      ].join('\n'),
    );

    const outputs: [string, string][] = [];
    const keep = (label: string, r: ReturnType<typeof run>) => {
      outputs.push([label, r.out]);
      return r;
    };
    const jsonOut = path.join(work, 'canary-plan.json');
    const d = keep('diff', run(['diff', '-i', inventory, '--out', jsonOut], env));
    assert.equal(d.code, 2, d.out);
    // The rotation shows as a change of a masked line, and as a masked ALTER USER.
    assert.match(d.stdout, /^ {6}-DB_PASSWORD=\*{8}$/m);
    assert.match(d.stdout, /^ {6}\+DB_PASSWORD=\*{8}$/m);
    assert.match(d.stdout, /IDENTIFIED (WITH \S+ )?BY '\*{8}'/);
    outputs.push(['diff --out', fs.readFileSync(jsonOut, 'utf8')]);
    keep('diff json -vvv', run(['diff', '-i', inventory, '--format', 'json', '-vvv'], env));
    const rendered = path.join(work, 'canary-render');
    keep('render', run(['render', '-i', inventory, '--out', rendered], env));
    for (const f of fs.readdirSync(rendered, { recursive: true }) as string[]) {
      const p = path.join(rendered, f);
      if (fs.statSync(p).isFile()) outputs.push([`render ${f}`, fs.readFileSync(p, 'utf8')]);
    }
    const a = keep('apply --diff -vvv', run(['apply', '-i', inventory, '--diff', '-vvv'], env));
    assert.equal(a.code, 0, a.out);
    assert.match(await sh('web-01', `sudo cat /opt/foobar/app.env`), new RegExp(canary));
    const fd = keep('diff of the failing playbook', run(['diff', '-i', inventory, failBook], env));
    assert.equal(fd.code, 1, fd.out);
    assert.match(fd.stdout, /password = \*{8}/, 'the validator output is shown, masked');
    const fa = keep(
      'apply of the failing playbook -vvv',
      run(['apply', '-i', inventory, failBook, '-vvv', '--diff'], env),
    );
    assert.equal(fa.code, 3, fa.out);

    for (const [label, text] of outputs)
      assert.ok(!text.includes(canary), `the canary is in the output of ${label}:\n${text}`);
    for (const h of lab.hosts) {
      const found = await sh(
        h.name,
        `sudo sh -c "grep -rl -- '${canary}' /tmp /var/tmp /var/lib/foobar-infra 2>/dev/null; find / -xdev \\( -name 'foobar-infra-check.*' -o -name '.*.foobar-*' \\) 2>/dev/null; true"`,
      );
      assert.equal(found.trim(), '', `${h.name}: the canary or a temp file is left in:\n${found}`);
    }
    // Back to the lab's own password for the suites that follow.
    const back = run(['apply', '-i', lab.inventoryPath]);
    assert.equal(back.code, 0, back.out);
  });

  it('5. --format json parses and matches the documented schema (checked with zod)', () => {
    const r = run(['diff', '-i', lab.inventoryPath, '--format', 'json']);
    assert.equal(r.code, 0, r.out);
    const plan = planOf(r.stdout);
    assert.equal(plan.version, 1);
    assert.equal(plan.mode, 'live');
    assert.deepEqual(plan.summary, {
      hosts: 3,
      converged: 3,
      changed: 0,
      failed: 0,
      unreachable: 0,
      changes: 0,
      validations: { passed: 0, failed: 0, unavailable: 0 },
    });
  });

  it('8. a host that cannot be reached makes diff exit 1, never 2, while another has changes pending', async () => {
    const inventory = path.join(work, 'one-down.yml');
    const text = fs.readFileSync(lab.inventoryPath, 'utf8');
    // Port 2 is closed; the site's firewall drops it (a timeout) rather than refusing it.
    const edited = text.replace(
      /(web-02: \{ address: [0-9.]+,)/,
      '$1 ssh_port: 2, ssh_connect_timeout: 3,',
    );
    assert.notEqual(edited, text);
    fs.writeFileSync(inventory, edited);
    await sh('lb-01', "sudo sed -i 's/^    maxconn .*/    maxconn 7/' /etc/haproxy/haproxy.cfg");
    const r = run(['diff', '-i', inventory, '--format', 'json']);
    assert.equal(r.code, 1, r.out);
    const plan = planOf(r.stdout);
    assert.deepEqual(
      plan.hosts.map((h) => [h.name, h.status]),
      [
        ['lb-01', 'changes'],
        ['web-01', 'converged'],
        ['web-02', 'unreachable'],
      ],
    );
    assert.match(plan.hosts[2]!.error!, /refused|no SSH answer .* within 3 s/);
    const fix = run(['apply', '-i', lab.inventoryPath, '--limit', 'lb-01']);
    assert.equal(fix.code, 0, fix.out);
  });

  it('6. the offline --against mode shows a template change as a config diff, loading no SSH code at all', () => {
    const earlier = path.join(work, 'earlier');
    assert.equal(run(['render', '-i', lab.inventoryPath, '--out', earlier]).code, 0);
    const text = fs.readFileSync(path.join(ROOT, 'templates', 'nginx.conf.hbs'), 'utf8');
    const edited = editedProjectCopy(work, 'nginx.conf.hbs', (t) =>
      t.replace(/keepalive_timeout \d+/, 'keepalive_timeout 7'),
    );
    // A hook that makes loading the SSH stack fatal proves no SSH is even attempted.
    const r = spawnSync(
      process.execPath,
      [
        '--require',
        path.join(ROOT, 'dist', 'test', 'support', 'forbid-ssh.js'),
        BIN,
        'diff',
        '-i',
        lab.inventoryPath,
        edited,
        '--against',
        earlier,
        '--format',
        'json',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(r.status, 2, r.stdout + r.stderr);
    const plan = planOf(r.stdout);
    assert.equal(plan.mode, 'offline');
    assert.deepEqual(plan.groups, [{ hosts: ['web-01', 'web-02'] }]);
    const change = plan.hosts.find((h) => h.name === 'web-01')!.changes[0]!;
    assert.equal(change.path, '/etc/nginx/nginx.conf');
    assert.deepEqual(
      change.diff!.hunks.filter((l) => /^[-+]/.test(l)).map((l) => l.replace(/\s+/g, ' ')),
      [
        `- ${/keepalive_timeout \d+;?/.exec(text)![0]}`,
        `+ keepalive_timeout 7${/keepalive_timeout \d+(;?)/.exec(text)![1]}`,
      ],
    );
  });
});
