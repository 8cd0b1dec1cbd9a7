import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bridgeName } from '../../src/lab/plan-names';
import { runCli } from '../support/cli';
import { httpRequest, type Reply } from '../support/http';
import { e2eFlavors, type E2eLab, useE2eLab } from '../support/lab';
import { ensureCommand, requireOrSkip } from '../support/requirements';

/**
 * Issue 20, findings 3 and 4 on real hosts, both flavours: the database
 * traffic that crosses the lab's network. mysqld listens on the private
 * address only; every account reachable from another host requires TLS; the
 * application verifies the primary; a capture of the lab bridge while rows
 * are posted through every web host shows no row and no password.
 */
for (const flavor of e2eFlavors())
  describe(`e2e: database traffic on the network is TLS only (${flavor})`, function () {
    this.timeout(10 * 60_000);
    let lab: E2eLab;
    let work: string;
    const sh = async (host: string, command: string) => (await lab.ssh(host, command)).stdout;
    const sql = (host: string, query: string) =>
      sh(host, `sudo mysql -N -B -e ${JSON.stringify(query).replace(/\$/g, '\\$')}`);
    const secret = (name: string) =>
      fs.readFileSync(path.join(path.dirname(lab.inventoryPath), 'secrets', name), 'utf8').trim();

    before(async function () {
      this.timeout(10 * 60_000);
      const tcpdump = ensureCommand('tcpdump', 'tcpdump');
      requireOrSkip(this, tcpdump.ok, tcpdump.why);
      lab = await useE2eLab(this, flavor);
      await lab.resetToSite();
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-e2e-dbnet-'));
    });
    after(() => {
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it('mysqld listens on the private address only: no wildcard, no X Protocol port', async () => {
      for (const h of ['web-01', 'web-02']) {
        const listening = await sh(h, "sudo ss -Hltn | awk '{print $4}'");
        const ports = listening.split('\n').filter((l) => /:(3306|33060)$/.test(l));
        assert.deepEqual(ports, [`${lab.host(h).address}:3306`], `${h}:\n${listening}`);
      }
    });

    it('every account reachable from another host requires TLS; a login without it is refused', async () => {
      const accounts = await sql(
        'web-01',
        "SELECT user, host, ssl_type FROM mysql.user WHERE host NOT IN ('localhost') AND user IN ('foobar', 'repl')",
      );
      const rows = accounts
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
      assert.ok(rows.length >= 3, accounts);
      for (const [user, host, ssl] of rows) assert.equal(ssl, 'ANY', `${user}@${host}: ${ssl}`);
      // From the replica, the application's account: with TLS it logs in;
      // without, the account refuses it (MySQL's client is given the server's
      // RSA key, so that the refusal is the account's, not the plugin's).
      const login = (options: string) =>
        lab.ssh(
          'web-02',
          `MYSQL_PWD='${secret('mysql_app_password')}' mysql ${options} -h ${lab.host('web-01').address} -u foobar -N -e 'SELECT CURRENT_USER()' 2>&1`,
        );
      const withTls = await login(flavor === 'mysql' ? '--ssl-mode=REQUIRED' : '--ssl');
      assert.equal(withTls.code, 0, withTls.stdout);
      const noTls = await login(
        flavor === 'mysql' ? '--ssl-mode=DISABLED --get-server-public-key' : '--skip-ssl',
      );
      assert.notEqual(noTls.code, 0, noTls.stdout);
      assert.match(noTls.stdout, /Access denied/);
    });

    it('rows posted through every web host cross the bridge encrypted: the capture shows no row and no password', async () => {
      const capture = path.join(work, 'bridge.pcap');
      const bridge = bridgeName(lab.name);
      const dump: ChildProcess = spawn(
        'tcpdump',
        // --immediate-mode: without it libpcap hands packets over a buffer
        // block at a time (on a timeout), and SIGINT drops the block not yet
        // handed over, which could hold every packet of this test.
        ['-i', bridge, '--immediate-mode', '-U', '-s', '0', '-w', capture, 'tcp port 3306'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let said = '';
      dump.stderr!.on('data', (d: Buffer) => (said += d.toString()));
      try {
        for (let i = 0; i < 50 && !said.includes('listening on'); i++)
          await new Promise((res) => setTimeout(res, 100));
        assert.match(said, /listening on/);
        // Round robin: every other POST goes through web-02, the replica,
        // whose writes travel to the primary.
        const canary = `row-canary-${randomBytes(8).toString('hex')}`;
        const lb = `https://${lab.host('lb-01').address}`;
        const served = new Set<string>();
        for (let i = 0; i < 6; i++) {
          const r: Reply = await httpRequest(`${lb}/messages`, {
            method: 'POST',
            body: JSON.stringify({ text: `${canary} ${i}` }),
            ca: lab.caPath,
          });
          assert.equal(r.status, 201, r.body);
          served.add(r.servedBy);
        }
        assert.deepEqual([...served].sort(), ['web-01', 'web-02']);
        // The rows reach the replica (replication, over the same bridge).
        let copied = '';
        for (let i = 0; i < 40 && !copied.includes(`${canary} 5`); i++) {
          copied = await sql(
            'web-02',
            `SELECT text FROM foobar.messages WHERE text LIKE '${canary}%'`,
          );
          if (!copied.includes(`${canary} 5`)) await new Promise((res) => setTimeout(res, 250));
        }
        assert.match(copied, new RegExp(`${canary} 5`));
        // The writes of web-02 went to the primary's port, and the capture saw
        // them: read back as they are written (-U), until there or 10 s.
        const primary = lab.host('web-01').address;
        const replica = lab.host('web-02').address;
        const fromReplica = () =>
          spawnSync(
            'tcpdump',
            ['-r', capture, '-nn', `src host ${replica} and dst host ${primary} and dst port 3306`],
            { encoding: 'utf8' },
          )
            .stdout.split('\n')
            .filter(Boolean);
        let seen = fromReplica();
        for (let i = 0; i < 40 && seen.length < 10; i++) {
          await new Promise((res) => setTimeout(res, 250));
          seen = fromReplica();
        }
        dump.kill('SIGINT');
        await new Promise((res) => dump.once('exit', res));
        assert.ok(seen.length >= 10, `packets from web-02 to the primary:\n${seen.join('\n')}`);
        const bytes = fs.readFileSync(capture);
        for (const [what, value] of [
          ['a posted row', canary],
          ['the application password', secret('mysql_app_password')],
          ['the replication password', secret('mysql_replication_password')],
        ])
          assert.ok(!bytes.includes(Buffer.from(value)), `${what} crossed the bridge in clear`);
      } finally {
        if (dump.exitCode === null) dump.kill('SIGKILL');
      }
    });

    it("no TCP session on the primary without TLS (performance_schema), and the application verifies the primary's certificate", async () => {
      const ps = (await sql('web-01', 'SELECT @@GLOBAL.performance_schema')).trim();
      if (ps === '1') {
        const plain = await sql(
          'web-01',
          "SELECT PROCESSLIST_USER, PROCESSLIST_HOST FROM performance_schema.threads WHERE CONNECTION_TYPE = 'TCP/IP'",
        );
        assert.equal(plain.trim(), '', `sessions without TLS:\n${plain}`);
        const tls = await sql(
          'web-01',
          "SELECT COUNT(*) FROM performance_schema.threads WHERE CONNECTION_TYPE = 'SSL/TLS'",
        );
        assert.ok(Number(tls) >= 1, 'the replica and the application are connected over TLS');
      } else {
        // MariaDB runs without performance_schema by default: the accounts'
        // REQUIRE SSL (above) and the capture carry the proof there.
        assert.equal(flavor, 'mariadb', 'performance_schema is on in MySQL');
      }
      const log = await sh(
        'web-02',
        'sudo journalctl -u foobar-app -o cat --no-pager | grep writes= | tail -n 1',
      );
      assert.match(log, /\(TLS, verified against \/opt\/foobar\/db-ca\.crt\)/);
    });
    it('an account logged in by the socket (mysql_user auth: socket): its system user gets in with no password, another user does not; from a password account it is switched; a second apply changes nothing', async () => {
      const user = 'foobar-socktest';
      await sh('web-01', `sudo useradd -r -M -s /usr/sbin/nologin ${user} 2>/dev/null; true`);
      await sql(
        'web-01',
        `CREATE USER IF NOT EXISTS '${user}'@'localhost' IDENTIFIED BY 'was-a-password-1'`,
      );
      const playbook = path.join(work, 'socket.yml');
      fs.writeFileSync(
        playbook,
        [
          '- name: A socket account',
          '  hosts: web-01',
          '  tasks:',
          '    - name: The account',
          `      mysql_user: { name: ${user}, auth: socket, hosts: localhost, grants: ['foobar.*:SELECT'] }`,
          '',
        ].join('\n'),
      );
      const apply = () => runCli(['apply', '-i', lab.inventoryPath, playbook]);
      const first = apply();
      assert.equal(first.code, 0, first.out);
      assert.match(first.out, /logs in by \S+, not the socket/);
      const as = (who: string, q: string) =>
        lab.ssh('web-01', `sudo -u ${who} mysql -N -B -u ${user} -e ${JSON.stringify(q)}`);
      const me = await as(user, 'SELECT CURRENT_USER()');
      assert.equal(me.stdout.trim(), `${user}@localhost`, me.stderr);
      assert.match((await as(user, 'SHOW GRANTS')).stdout, /GRANT SELECT ON `foobar`\.\* TO/);
      const other = await as('nobody', 'SELECT 1');
      assert.notEqual(other.code, 0, 'another system user is refused');
      const again = apply();
      assert.equal(again.code, 0, again.out);
      assert.match(again.out, /web-01\s+: ok=\d+ changed=0 /);
      await sql('web-01', `DROP USER IF EXISTS '${user}'@'localhost'`);
      await sh('web-01', `sudo userdel ${user}; true`);
    });
  });
