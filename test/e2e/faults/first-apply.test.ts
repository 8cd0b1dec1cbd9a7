import { strict as assert } from 'node:assert';
import { runCli } from '../../support/cli';
import { useE2eLab, type E2eLab } from '../../support/lab';

/**
 * Issue 18: the first apply on MySQL must not depend on the race in Debian's
 * mysql-server postinst, whose `mysqld --initialize` with SHUTDOWN in its
 * init file sometimes stops before the system views exist ("System views
 * initialization failed"), leaving an unusable data directory.
 *
 * The race is forced with a `mysqld` put in the package's place (the real one
 * diverted to mysqld.real with dpkg-divert) that lets a server initialising
 * with such an init file run for one second, kills it, and exits 1: what the
 * race does, every time.
 */
const SHIM = `#!/bin/sh
# Test shim: mysqld --initialize cut short, as the postinst race leaves it.
case " $* " in *" --initialize"*) ;; *) exec /usr/sbin/mysqld.real "$@" ;; esac
init=$(printf '%s\\n' "$@" | sed -n 's/^--init-file=//p')
if [ -e /etc/foobar-test-break-initialize ] || { [ -n "$init" ] && grep -q SHUTDOWN "$init"; }; then
  timeout -s KILL 1 /usr/sbin/mysqld.real "$@"
  echo 'test shim: mysqld --initialize stopped during bootstrap' >&2
  exit 1
fi
exec /usr/sbin/mysqld.real "$@"
`;

describe('e2e: the first apply on MySQL with the postinst race forced', function () {
  this.timeout(10 * 60_000);
  let lab: E2eLab;
  const sh = async (host: string, command: string) => {
    const r = await lab.ssh(host, command);
    return { code: r.code, out: (r.stdout + r.stderr).trim() };
  };
  const installShim = (host: string) =>
    sh(
      host,
      `sudo dpkg-divert --local --divert /usr/sbin/mysqld.real --rename --add /usr/sbin/mysqld && printf '%s' '${SHIM.replace(/'/g, `'\\''`)}' | sudo tee /usr/sbin/mysqld >/dev/null && sudo chmod 755 /usr/sbin/mysqld`,
    );
  // The database play of the primary alone: the other plays need nothing of it.
  const applyDatabase = () =>
    runCli(['apply', '-i', lab.inventoryPath, '--limit', 'web-01', '--tags', 'database']);

  before(async function () {
    lab = await useE2eLab(this, 'mysql');
    await lab.reset(['web-01', 'web-02']);
    for (const h of ['web-01', 'web-02']) assert.equal((await installShim(h)).code, 0);
  });

  it("control: with the race forced, the package's own initialisation fails and leaves an unusable data directory", async () => {
    const r = await sh(
      'web-02',
      'sudo apt-get update -qq; sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mysql-server 2>&1; echo "rc=$?"; sudo ls -A /var/lib/mysql | head -n 3',
    );
    assert.match(r.out, /rc=100/, r.out);
    assert.match(
      r.out,
      /mysql-server[^\n]*\n?[^\n]*(subprocess|post-installation)[^\n]*exit status 1/,
      r.out,
    );
    assert.notEqual(r.out.split('rc=100')[1]?.trim(), '', 'the failed install left files behind');
  });

  it("the tool's initialisation fails clearly and leaves the directory empty; the next run initialises it", async () => {
    await sh('web-01', 'sudo touch /etc/foobar-test-break-initialize');
    const failed = applyDatabase();
    assert.equal(failed.code, 3, failed.out);
    assert.match(
      failed.out,
      /failed: \[web-01\] The MySQL data directory, initialised by the tool/,
    );
    assert.match(
      failed.out,
      /initialising \/var\/lib\/mysql failed: mysqld --initialize-insecure failed\./,
    );
    assert.match(
      failed.out,
      /\/var\/lib\/mysql was emptied again: the next run initialises it anew/,
    );
    assert.match(failed.out, /test shim: mysqld --initialize stopped during bootstrap/);
    assert.equal((await sh('web-01', 'sudo ls -A /var/lib/mysql')).out, '');
    assert.notEqual((await sh('web-01', 'dpkg -s mysql-server >/dev/null 2>&1')).code, 0);

    await sh('web-01', 'sudo rm /etc/foobar-test-break-initialize');
    const r = applyDatabase();
    if (r.code !== 0) assert.fail(await lab.explain(r.out));
    assert.match(r.out, /changed: \[web-01\] The database server is installed/);
  });

  it('with the race still forced, the server runs, root logs in by socket only, nothing is binary-logged, and a second run changes nothing', async () => {
    const q = (sql: string) => sh('web-01', `sudo mysql -N -e "${sql}"`);
    assert.equal((await sh('web-01', 'systemctl is-active mysql')).out, 'active');
    assert.equal(
      (await q("SELECT plugin FROM mysql.user WHERE user='root' AND host='localhost'")).out,
      'auth_socket',
    );
    assert.equal(
      (await q("SELECT COUNT(*) FROM mysql.user WHERE user='debian-sys-maint'")).out,
      '1',
    );
    // Only the site's own statements are history: a replica counts any other as
    // errant. (The site's backup and exporter accounts, made with auth_socket,
    // are its own.)
    const logged = await sh(
      'web-01',
      "sudo sh -c 'ls /var/lib/mysql; mysqlbinlog /var/lib/mysql/*bin*.0* 2>/dev/null' | grep -vF -e foobar-backup -e \"'prometheus'@\" | grep -cE '^binlog\\.|auth_socket|debian-sys-maint'",
    );
    assert.equal(logged.out, '0', 'no binary log of the first start, no set-up statement in any');
    assert.equal((await sh('web-01', 'ls /etc/mysql/conf.d')).out.includes('foobar'), false);
    const again = applyDatabase();
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /^web-01\s+: ok=\d+ changed=0 /m);
  });
});
