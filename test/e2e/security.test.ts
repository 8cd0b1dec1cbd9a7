import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, editedProjectCopy, runCli } from '../support/cli';
import { useE2eLab, type E2eLab } from '../support/lab';

/**
 * Issue 10 on real hosts: HTTPS at the load balancer, a firewall per role
 * that never locks the tool out, replication over verified TLS, and secrets
 * that appear in no output.
 */
describe('e2e: HTTPS, the firewall per role and database TLS', function () {
  this.timeout(10 * 60_000);
  let lab: E2eLab;
  let work: string;
  let lb: string;
  /** Every output of the tool in this suite: step 7 searches it for secrets. */
  const outputs: string[] = [];

  const run = (args: string[]) => {
    const r = runCli(args);
    outputs.push(r.out);
    return r;
  };
  const sh = async (host: string, command: string) => (await lab.ssh(host, command)).stdout;
  const recap = (out: string, host: string) =>
    Number(new RegExp(`^${host}\\s+: ok=\\d+ changed=(\\d+)`, 'm').exec(out)?.[1]);
  /** curl on this machine (the controller), against lab addresses only. */
  const curl = (args: string[]) =>
    spawnSync('curl', ['-s', '-m', '5', ...args], { encoding: 'utf8', timeout: 15_000 });
  /** A TCP connection from a lab host: "open" or "closed" (refused or timed out). */
  const tcpFrom = async (host: string, address: string, port: number) =>
    (
      await sh(
        host,
        `timeout 3 bash -c '</dev/tcp/${address}/${port}' 2>/dev/null && echo open || echo closed`,
      )
    ).trim();
  /** The live ruleset and the boot file of a host, hashed. */
  const firewallState = (host: string) =>
    sh(host, 'sudo sh -c "nft -s list ruleset | sha256sum; sha256sum /etc/nftables.conf"');

  before(async function () {
    lab = await useE2eLab(this);
    await lab.resetToSite();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-e2e-security-'));
    lb = lab.host('lb-01').address;
    const r = run(['apply', '-i', lab.inventoryPath]);
    if (r.code !== 0) assert.fail(await lab.explain(r.out));
    // HAProxy's health checks (rise 2 × 2 s) before both backends are UP.
    for (let i = 0; i < 40; i++) {
      if (
        curl(['--cacert', lab.caPath, '-o', '/dev/null', '-w', '%{http_code}', `https://${lb}/`])
          .stdout === '200'
      )
        break;
      await new Promise((res) => setTimeout(res, 250));
    }
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("1. curl --cacert <lab CA> https://<lb>/ answers 200; http:// answers 301 to https on the site's name", () => {
    const ok = curl([
      '--cacert',
      lab.caPath,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `https://${lb}/`,
    ]);
    assert.equal(ok.stdout, '200', ok.stderr);
    const plain = curl([
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{redirect_url}',
      `http://${lb}/messages?x=1`,
    ]);
    assert.equal(plain.stdout, '301 https://www.foobar.com/messages?x=1');
    // The certificate is checked for real: without the CA, curl refuses it.
    assert.notEqual(curl(['-o', '/dev/null', `https://${lb}/`]).status, 0);
  });

  it('2. openssl s_client: TLS 1.0 and 1.1 refused, 1.2 and 1.3 accepted with a verified chain; HSTS present', () => {
    const handshake = (version: string) => {
      // The client offers old versions too (security level 0): the server must refuse them.
      const r = spawnSync(
        'openssl',
        [
          's_client',
          '-connect',
          `${lb}:443`,
          `-${version}`,
          '-cipher',
          'DEFAULT@SECLEVEL=0',
          '-CAfile',
          lab.caPath,
          '-servername',
          'www.foobar.com',
        ],
        { input: '', encoding: 'utf8', timeout: 15_000 },
      );
      return { protocol: /New, (\S+), Cipher is/.exec(r.stdout)?.[1], out: r.stdout + r.stderr };
    };
    for (const old of ['tls1', 'tls1_1']) {
      const h = handshake(old);
      assert.ok(
        h.protocol === undefined || h.protocol === '(NONE)',
        `${old} was accepted: ${h.out}`,
      );
    }
    for (const [flag, name] of [
      ['tls1_2', 'TLSv1.2'],
      ['tls1_3', 'TLSv1.3'],
    ] as const) {
      const h = handshake(flag);
      assert.equal(h.protocol, name, h.out);
      assert.match(h.out, /Verify return code: 0 \(ok\)/);
    }
    const head = curl(['--cacert', lab.caPath, '-D', '-', '-o', '/dev/null', `https://${lb}/`]);
    assert.match(head.stdout, /^strict-transport-security: max-age=63072000\r?$/im);
  });

  it('3. port 80 of a web host: closed to another web host and to this machine, open to the lb', async () => {
    const web2 = lab.host('web-02').address;
    assert.equal(await tcpFrom('web-01', web2, 80), 'closed');
    assert.equal(curl(['-o', '/dev/null', '-w', '%{http_code}', `http://${web2}/`]).stdout, '000');
    assert.equal(await tcpFrom('lb-01', web2, 80), 'open');
    assert.equal(
      (await sh('lb-01', `curl -s -o /dev/null -w '%{http_code}' http://${web2}/healthz`)).trim(),
      '200',
    );
  });

  it('4. 3306 on the primary: closed to the lb, open to the replica, whose replication runs over verified TLS', async () => {
    const primary = lab.host('web-01').address;
    assert.equal(await tcpFrom('lb-01', primary, 3306), 'closed');
    assert.equal(await tcpFrom('web-02', primary, 3306), 'open');
    const status = await sh('web-02', 'sudo mysql --vertical -e "SHOW REPLICA STATUS"');
    for (const line of [
      /Replica_IO_Running: Yes/,
      /Replica_SQL_Running: Yes/,
      /Source_SSL_Allowed: Yes/,
      /Source_SSL_CA_File: \/etc\/mysql\/tls\/ca\.crt/,
      /Source_SSL_Verify_Server_Cert: Yes/,
    ])
      assert.match(status, line, status);
    // On the primary: the replication account requires TLS, and its connection uses it.
    const account = await sh(
      'web-01',
      `sudo mysql -N -e "SELECT host, ssl_type FROM mysql.user WHERE user = 'repl'"`,
    );
    assert.equal(account.trim(), `${lab.host('web-02').address}\tANY`);
    const tls = await sh(
      'web-01',
      `sudo mysql -N -e "SELECT s.variable_value FROM performance_schema.status_by_thread s JOIN performance_schema.threads t USING (thread_id) WHERE t.processlist_user = 'repl' AND s.variable_name = 'Ssl_version'"`,
    );
    assert.match(tls.trim(), /^TLSv1\.[23]$/);
    // The application's user: its own schema, no more than it uses.
    const grants = await sh('web-01', `sudo mysql -N -e "SHOW GRANTS FOR 'foobar'@'localhost'"`);
    assert.match(grants, /GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, INDEX ON `foobar`\.\*/);
    assert.doesNotMatch(grants, /ALL PRIVILEGES/);
    assert.doesNotMatch(grants, /GRANT [A-Z, ]*(SELECT|INSERT)[A-Z, ]* ON \*\.\* /);
    // The TLS key on the lb: 600, owned by HAProxy's user.
    assert.equal(
      (await sh('lb-01', 'sudo stat -c "%a %U:%G" /etc/haproxy/certs/site.pem')).trim(),
      '600 haproxy:haproxy',
    );
  });

  it('5a. a ruleset that blocks SSH is refused at plan time, by diff and by apply; nothing on the host changes', async () => {
    const before = await firewallState('lb-01');
    const playbook = editedProjectCopy(work, 'nftables.conf.hbs', (t) =>
      t.replace(
        '        # SSH from the admin sources only.\n',
        '        # SSH from the admin sources only.\n        tcp dport {{ssh_port}} drop\n',
      ),
    );
    const d = run(['diff', '-i', lab.inventoryPath, playbook]);
    assert.equal(d.code, 1, d.out);
    assert.match(
      d.out,
      /refused: the rendered ruleset \(nftables\.conf\.hbs\) would block this run's SSH connection \(from \S+ to port 22\): line \d+ drops new connections: tcp dport 22 drop/,
    );
    const a = run(['apply', '-i', lab.inventoryPath, playbook, '--limit', 'lb-01']);
    assert.equal(a.code, 3, a.out);
    assert.match(a.out, /failed: \[lb-01\] The firewall of the host's roles\n\s+refused: /);
    assert.equal(await firewallState('lb-01'), before);
  });

  it("5b. a ruleset broken after load (it drops new SSH connections on the way out): not confirmed, reverted by the host's timer, reachable again", async () => {
    const before = await firewallState('lb-01');
    const playbook = editedProjectCopy(work, 'nftables.conf.hbs', (t) =>
      t.replace(
        '    chain forward {',
        [
          '    chain output {',
          '        type filter hook output priority filter; policy accept;',
          '        tcp sport {{ssh_port}} tcp flags & (syn | ack) == syn | ack drop',
          '    }',
          '',
          '    chain forward {',
        ].join('\n'),
      ),
    );
    const inventory = path.join(work, 'short-timer.yml');
    fs.writeFileSync(
      inventory,
      fs
        .readFileSync(lab.inventoryPath, 'utf8')
        .replace(
          /^ {2}vars:\n/m,
          '  vars:\n    firewall_confirm_timeout: 15\n    ssh_connect_timeout: 4\n',
        ),
    );
    const start = Date.now();
    const a = run(['apply', '-i', inventory, playbook, '--limit', 'lb-01']);
    assert.equal(a.code, 3, a.out);
    assert.match(
      a.out,
      /\/etc\/nftables\.conf was loaded, but a new SSH connection to confirm it failed \(.*\): the host restores the previous ruleset by itself within 15 s/,
    );
    // The confirmation waited for its connect timeout: the ruleset was live.
    assert.ok(Date.now() - start >= 4000, 'the confirmation did not wait');
    // The timer fires 15 s after the load; the host is reachable again and the
    // live ruleset and the boot file are what they were.
    let back = '';
    while (Date.now() - start < 40_000 && back === '') {
      await new Promise((res) => setTimeout(res, 1000));
      back = await firewallState('lb-01').catch(() => '');
    }
    assert.equal(back, before);
    assert.match(
      await sh('lb-01', 'sudo journalctl -t foobar-infra --no-pager'),
      /the new ruleset was not confirmed in time; the previous one is back/,
    );
    assert.equal((await sh('lb-01', 'ls -A /etc | grep -c "^\\.nftables" || true')).trim(), '0');
  });

  it('6. a second apply reports changed=0 on every host, over one SSH connection each', () => {
    const r = run(['apply', '--timings', '-i', lab.inventoryPath]);
    assert.equal(r.code, 0, r.out);
    for (const h of lab.hosts) {
      assert.equal(recap(r.out, h.name), 0, r.out);
      assert.match(r.out, new RegExp(`^${h.name} : connect=.* ssh_connections=1 `, 'm'));
    }
  });

  it('7. the optional SSH hardening play: key login proven first, then password and root logins off; converged on a second run', async () => {
    const playbook = path.join(ROOT, 'playbooks', 'ssh-hardening.yml');
    const first = run(['apply', '-i', lab.inventoryPath, playbook]);
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /ok: \[lb-01\] Key login works for the deploy user, who is not root/);
    for (const h of lab.hosts) {
      const effective = await sh(h.name, 'sudo /usr/sbin/sshd -T');
      assert.match(effective, /^passwordauthentication no$/im);
      assert.match(effective, /^permitrootlogin no$/im);
      assert.match(effective, /^kbdinteractiveauthentication no$/im);
    }
    // What sshd offers a client without a key: public keys only.
    const probe = spawnSync(
      'ssh',
      [
        '-o',
        'BatchMode=yes',
        '-o',
        'PubkeyAuthentication=no',
        '-o',
        'ConnectTimeout=5',
        '-o',
        `UserKnownHostsFile=${lab.knownHostsPath}`,
        '-o',
        'StrictHostKeyChecking=yes',
        `deploy@${lb}`,
        'true',
      ],
      { encoding: 'utf8', timeout: 15_000 },
    );
    assert.match(probe.stderr, /Permission denied \(publickey\)/);
    const again = run(['apply', '-i', lab.inventoryPath, playbook]);
    assert.equal(again.code, 0, again.out);
    for (const h of lab.hosts) assert.equal(recap(again.out, h.name), 0, again.out);
  });

  it('7b. key login is refused as proof for an account of uid 0 under another name, read from the real host', async () => {
    await sh('lb-01', 'sudo useradd -o -u 0 -g 0 -M -d /root -s /bin/sh fbtoor');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-uid0-'));
    try {
      const playbook = path.join(dir, 'check.yml');
      fs.writeFileSync(
        playbook,
        '- name: Key login check\n  hosts: lb\n  tasks:\n    - name: Key login for fbtoor\n      ssh_key_login: { user: fbtoor }\n',
      );
      const r = run(['apply', '-i', lab.inventoryPath, playbook]);
      assert.notEqual(r.code, 0, r.out);
      assert.match(r.out, /fbtoor has uid 0: turning root login off would lock it out too/);
    } finally {
      await sh('lb-01', "sudo sed -i '/^fbtoor:/d' /etc/passwd /etc/shadow");
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('8. the TLS key and the database passwords appear in no output, even with a changed key file shown by diff -vvv', async () => {
    await sh('lb-01', "sudo sh -c 'echo tampered >> /etc/haproxy/certs/site.pem'");
    const d = run(['diff', '-vvv', '-i', lab.inventoryPath]);
    assert.equal(d.code, 2, d.out);
    assert.match(d.out, /\/etc\/haproxy\/certs\/site\.pem/);
    const a = run(['apply', '--diff', '-vvv', '-i', lab.inventoryPath]);
    assert.equal(a.code, 0, a.out);
    const secrets = path.dirname(lab.inventoryPath);
    const keyLines = fs
      .readFileSync(path.join(secrets, 'tls', 'site.key'), 'utf8')
      .split('\n')
      .filter((l) => l.length > 20 && !l.startsWith('-----'));
    assert.ok(keyLines.length > 0);
    const named: [string, string][] = [
      ...keyLines.map((l, i): [string, string] => [`line ${i + 2} of the TLS key`, l]),
      ...fs
        .readdirSync(path.join(secrets, 'secrets'))
        .map((f): [string, string] => [
          f,
          fs.readFileSync(path.join(secrets, 'secrets', f), 'utf8').trim(),
        ]),
    ];
    for (const [name, secret] of named)
      outputs.forEach((out, i) =>
        // The message names the secret and the run, never the value.
        assert.ok(!out.includes(secret), `${name} appears in output ${i + 1} of ${outputs.length}`),
      );
    assert.match(outputs.join('\n'), /site\.pem/);
  });
});
