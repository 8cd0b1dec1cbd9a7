import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseFacts } from '../../src/facts/parse';
import { gatherScript } from '../../src/facts/script';
import type { FactRequest, RemoteDatabase } from '../../src/facts/types';

/**
 * Issue 20, finding 3: the tool's own login from a replica to its source. The
 * gather script runs here under sh, with a stand-in `mysql` on PATH that
 * reports the option file it was given and where that file lived.
 */
describe("a replica's check of its source: verified TLS, credentials in a root-only runtime folder", () => {
  let dir: string;
  let bin: string;
  const password = 'repl-pw-7f3a9c';

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-remote-sql-'));
    bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    // The stand-in client: its option file's folder and content, as one SQL row each.
    fs.writeFileSync(
      path.join(bin, 'mysql'),
      [
        '#!/bin/sh',
        'cat >/dev/null',
        'for a in "$@"; do case "$a" in --defaults-extra-file=*) f="${a#*=}";; esac; done',
        `printf '%s\\n' '@@fb-q 0@@'`,
        `printf 'folder\\n%s\\n' "$(dirname "$f")"`,
        `printf 'option\\n'; grep -v '^password' "$f"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const request = (remote: RemoteDatabase): FactRequest => ({
    kind: 'sql',
    query: 'SELECT 1',
    remote,
  });
  const run = (script: string, extraPath: string[] = []) => {
    const r = spawnSync('sh', ['-c', script], {
      encoding: 'utf8',
      env: { PATH: [...extraPath, bin, process.env.PATH].join(':'), TMPDIR: dir },
    });
    return `${r.stdout}${r.stderr}`;
  };
  const base = { host: '10.0.0.11', port: 3306, user: 'repl', password };

  it("MySQL with a CA: ssl-mode=VERIFY_IDENTITY and ssl-ca (the source's certificate and address are checked)", () => {
    const out = run(
      gatherScript([request({ ...base, tls: 'mysql', ca: '/etc/mysql/tls/ca.crt' })]),
    );
    assert.match(out, /^ssl-mode=VERIFY_IDENTITY$/m, out);
    assert.match(out, /^ssl-ca="\/etc\/mysql\/tls\/ca\.crt"$/m, out);
    assert.doesNotMatch(out, /REQUIRED/);
  });

  it('MariaDB with a CA: ssl, ssl-ca and ssl-verify-server-cert', () => {
    const out = run(
      gatherScript([request({ ...base, tls: 'mariadb', ca: '/etc/mysql/tls/ca.crt' })]),
    );
    assert.match(out, /^ssl$/m, out);
    assert.match(out, /^ssl-ca="\/etc\/mysql\/tls\/ca\.crt"$/m, out);
    assert.match(out, /^ssl-verify-server-cert$/m, out);
  });

  it('the option file lives in a folder under /run, gone when the gather ends', function () {
    if (process.getuid?.() !== 0) this.skip(); // /run is root's
    const out = run(
      gatherScript([request({ ...base, tls: 'mysql', ca: '/etc/mysql/tls/ca.crt' })]),
    );
    const folder = /^folder\n(\S+)$/m.exec(out)?.[1];
    assert.ok(folder?.startsWith('/run/'), out);
    assert.ok(!fs.existsSync(folder!), `${folder} is left behind`);
  });

  it('without a root-only runtime folder the check refuses to write the credentials anywhere else', () => {
    // A mktemp that cannot create under /run (a user without root).
    const noRun = path.join(dir, 'no-run');
    fs.mkdirSync(noRun, { recursive: true });
    fs.writeFileSync(
      path.join(noRun, 'mktemp'),
      `#!/bin/sh\ncase "$*" in */run/*) exit 1;; esac\nexec ${spawnSync('sh', ['-c', 'command -v mktemp'], { encoding: 'utf8' }).stdout.trim()} "$@"\n`,
      { mode: 0o755 },
    );
    const requests = [request({ ...base, tls: 'mysql', ca: '/etc/mysql/tls/ca.crt' })];
    const out = run(gatherScript(requests), [noRun]);
    const fact = parseFacts(requests, out.slice(out.indexOf('@@foobar-fact-begin')));
    const value = [...fact.values()][0]!.value as { ok: boolean; error?: string };
    assert.equal(value.ok, false, out);
    assert.match(value.error!, /root-only runtime folder/);
    const left = spawnSync('grep', ['-rl', password, dir], { encoding: 'utf8' }).stdout;
    assert.equal(left, '', `the password was written to ${left}`);
  });
});
