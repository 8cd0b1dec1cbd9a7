/**
 * The site application as the playbook deploys it: the built bundle
 * (playbooks/files/site/server.js) run with node against real MariaDB servers
 * started privately for the test (loopback and unix sockets only):
 *   - "primary": writable, holds the app account 'foobar'@'localhost' and a
 *     write account 'foobar'@'127.0.0.1' for the other web hosts;
 *   - "replica": started --read-only (no replication: it only stands for a
 *     replica's local server, which the app must not write to).
 * Three app processes: web-01 on the primary, web-02 on the replica with the
 * write account, web-03 on the replica without it.
 */
import { strict as assert } from 'node:assert';
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { hasCommand, requireOrSkip } from '../support/requirements';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SITE = path.join(ROOT, 'playbooks', 'files', 'site');
const BUNDLE = path.join(SITE, 'server.js');
const APP_PASSWORD = 'app-pw-Zq81xK';
const WRITE_PASSWORD = 'write-pw-Lm52vT';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  cmd: string,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // EPIPE when the command exits without reading
    child.stdin.end(opts.input ?? '');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGSTOP, then waits until every thread of the process is stopped (state T
 * in the stat of each of its threads). kill() only queues the signal: on a loaded
 * machine a server thread can still answer a request sent right after it.
 */
async function freeze(proc: ChildProcess): Promise<void> {
  const pid = proc.pid!;
  proc.kill('SIGSTOP');
  const threads = () => fs.readdirSync(`/proc/${pid}/task`);
  const stopped = () =>
    threads().every((t) =>
      /^\d+ \(.*\) [Tt] /.test(fs.readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8')),
    );
  for (let i = 0; i < 500 && !stopped(); i++) await sleep(10);
  assert.ok(stopped(), `process ${pid} did not stop within 5 s`);
}

function exited(child: ChildProcess, ms: number): Promise<number | null | 'timeout'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function stop(
  child: ChildProcess | undefined,
  ms: number,
): Promise<number | null | 'timeout'> {
  if (!child || child.exitCode !== null || child.signalCode !== null)
    return child?.exitCode ?? null;
  child.kill('SIGTERM');
  const code = await exited(child, ms);
  if (code === 'timeout') {
    child.kill('SIGKILL');
    await exited(child, 5000);
  }
  return code;
}

/** Debian's mariadb-server, installed without letting its scripts start a service. */
async function ensureMariadb(): Promise<string | null> {
  const have = () => hasCommand('mariadbd') && hasCommand('mariadb-install-db');
  if (have()) return null;
  if (process.getuid?.() !== 0 || !hasCommand('apt-get')) {
    return 'mariadb-server is not installed (and installing it needs root and apt-get)';
  }
  const policy = '/usr/sbin/policy-rc.d';
  const created = !fs.existsSync(policy);
  if (created) fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = ['install', '-y', '-qq', '--no-install-recommends', 'mariadb-server'];
    let r = await run('apt-get', install, { env, timeoutMs: 10 * 60_000 });
    if (r.code !== 0) {
      await run('apt-get', ['update', '-qq'], { env, timeoutMs: 5 * 60_000 });
      r = await run('apt-get', install, { env, timeoutMs: 10 * 60_000 });
    }
    if (r.code !== 0)
      return `apt-get install mariadb-server failed: ${r.stderr.trim().slice(-300)}`;
  } finally {
    if (created) fs.rmSync(policy, { force: true });
  }
  return have() ? null : 'mariadb-server installed, but mariadbd is not on PATH';
}

class Mariadb {
  proc?: ChildProcess;
  readonly socket: string;
  readonly datadir: string;
  log = '';

  constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.socket = path.join(dir, 'mysqld.sock');
    this.datadir = path.join(dir, 'data');
  }

  async start(extra: string[]): Promise<void> {
    const init = await run(
      'mariadb-install-db',
      [
        '--no-defaults',
        `--datadir=${this.datadir}`,
        '--auth-root-authentication-method=socket',
        '--user=root',
        '--skip-test-db',
      ],
      { timeoutMs: 120_000 },
    );
    assert.equal(init.code, 0, `mariadb-install-db: ${init.stderr}${init.stdout}`);
    this.proc = spawn(
      'mariadbd',
      [
        '--no-defaults',
        `--datadir=${this.datadir}`,
        `--socket=${this.socket}`,
        '--skip-networking=0',
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        '--skip-name-resolve',
        '--user=root',
        `--pid-file=${path.join(this.dir, 'mariadbd.pid')}`,
        '--innodb-buffer-pool-size=16M',
        '--skip-log-bin',
        ...extra,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.proc.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    for (let i = 0; i < 300; i++) {
      if (this.proc.exitCode !== null) throw new Error(`mariadbd exited:\n${this.log}`);
      if ((await this.sql('SELECT 1')).code === 0) return;
      await sleep(100);
    }
    throw new Error(`mariadbd did not answer within 30 s:\n${this.log}`);
  }

  /** SQL as root over the socket (unix_socket authentication). */
  sql(statements: string): Promise<Run> {
    return run(
      'mariadb',
      ['--no-defaults', `--socket=${this.socket}`, '-uroot', '--batch', '--skip-column-names'],
      { input: statements, timeoutMs: 30_000 },
    );
  }

  async mustSql(statements: string): Promise<string> {
    const r = await this.sql(statements);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  }
}

class App {
  proc?: ChildProcess;
  output = '';
  constructor(
    readonly hostname: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(env: Record<string, string>): Promise<void> {
    this.proc = spawn(process.execPath, [BUNDLE], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_ENV: 'production',
        APP_PORT: String(this.port),
        APP_HOST: '127.0.0.1',
        APP_HOSTNAME: this.hostname,
        DB_NAME: 'foobar',
        DB_USER: 'foobar',
        DB_PASSWORD: APP_PASSWORD,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.proc.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    for (let i = 0; i < 200; i++) {
      if (/^listening on /m.test(this.output)) return;
      if (this.proc.exitCode !== null) break;
      await sleep(50);
    }
    throw new Error(`${this.hostname} did not start:\n${this.output}`);
  }

  fetch(p: string, init: RequestInit = {}): Promise<Response> {
    return fetch(this.url + p, { redirect: 'manual', ...init });
  }

  postJson(body: unknown): Promise<Response> {
    return this.fetch('/messages', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }
}

describe('site app: the bundle against real MariaDB servers', function () {
  this.timeout(60_000);
  let tmp = '';
  let primary: Mariadb | undefined;
  let replica: Mariadb | undefined;
  const apps: App[] = [];
  let web1: App;
  let web2: App;
  let web3: App;

  before(async function () {
    this.timeout(20 * 60_000);
    requireOrSkip(this, fs.existsSync(BUNDLE), `${BUNDLE} is missing: run node site-app/build.js`);
    const missing = await ensureMariadb();
    requireOrSkip(this, missing === null, missing ?? '');
    requireOrSkip(
      this,
      process.getuid?.() === 0,
      'a private mariadbd with socket auth for root needs root',
    );

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-site-'));
    primary = new Mariadb(path.join(tmp, 'primary'), await freePort());
    replica = new Mariadb(path.join(tmp, 'replica'), await freePort());
    fs.mkdirSync(primary.dir);
    fs.mkdirSync(replica.dir);
    // One at a time: two mariadb-install-db runs at once can trip over each other.
    await primary.start([]);
    await replica.start(['--read-only']);

    const appUser = `CREATE DATABASE foobar;
      CREATE USER 'foobar'@'localhost' IDENTIFIED BY '${APP_PASSWORD}';
      GRANT ALL ON foobar.* TO 'foobar'@'localhost';`;
    await primary.mustSql(`${appUser}
      CREATE USER 'foobar'@'127.0.0.1' IDENTIFIED BY '${WRITE_PASSWORD}';
      GRANT ALL ON foobar.* TO 'foobar'@'127.0.0.1';`);
    await replica.mustSql(appUser);

    web1 = new App('web-01', await freePort());
    web2 = new App('web-02', await freePort());
    web3 = new App('web-03', await freePort());
    apps.push(web1, web2, web3);
    await web1.start({
      DB_SOCKET: primary.socket,
      DB_PRIMARY_HOST: '127.0.0.1',
      DB_PRIMARY_PORT: String(primary.port),
    });
    await web2.start({
      DB_SOCKET: replica.socket,
      DB_PRIMARY_HOST: '127.0.0.1',
      DB_PRIMARY_PORT: String(primary.port),
      DB_WRITE_USER: 'foobar',
      DB_WRITE_PASSWORD: WRITE_PASSWORD,
    });
    await web3.start({ DB_SOCKET: replica.socket, DB_PRIMARY_HOST: '127.0.0.1' });
  });

  after(async function () {
    this.timeout(60_000);
    for (const app of apps) await stop(app.proc, 10_000);
    await Promise.all([stop(primary?.proc, 30_000), stop(replica?.proc, 30_000)]);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('creates the messages table on the writable server only', async () => {
    assert.match(web1.output, /schema: messages table ready/);
    assert.match(web2.output, /schema: replica, left to replication/);
    const cols = await primary!.mustSql(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = 'foobar' AND table_name = 'messages' ORDER BY ordinal_position;",
    );
    assert.deepEqual(cols.trim().split('\n'), ['id', 'text', 'host', 'created_at']);
    const onReplica = await replica!.mustSql("SHOW TABLES FROM foobar LIKE 'messages';");
    assert.equal(onReplica.trim(), '');
  });

  it('GET /healthz answers 200 "ok <host>" with X-Served-By', async () => {
    for (const app of [web1, web2]) {
      const res = await app.fetch('/healthz');
      assert.equal(res.status, 200);
      assert.equal(await res.text(), `ok ${app.hostname}\n`);
      assert.equal(res.headers.get('x-served-by'), app.hostname);
    }
  });

  it('POST /messages (JSON) inserts a row: 201 {id, host}, then GET /messages/:id reads it', async () => {
    const res = await web1.postJson({ text: 'hello from the test' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-served-by'), 'web-01');
    const body = (await res.json()) as { id: number; host: string };
    assert.equal(body.host, 'web-01');
    assert.ok(Number.isInteger(body.id) && body.id > 0);

    const one = await web1.fetch(`/messages/${body.id}`);
    assert.equal(one.status, 200);
    const row = (await one.json()) as { id: number; text: string; host: string };
    assert.deepEqual([row.id, row.text, row.host], [body.id, 'hello from the test', 'web-01']);

    const list = (await (await web1.fetch('/messages')).json()) as { id: number }[];
    assert.equal(list[0]!.id, body.id);
    const count = await primary!.mustSql(`SELECT text FROM foobar.messages WHERE id = ${body.id};`);
    assert.equal(count.trim(), 'hello from the test');
  });

  it('POST /messages (form) answers 303 to / and the page shows the message', async () => {
    const res = await web1.fetch('/messages', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'text=posted+by+a+form+%C3%A9',
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');
    const page = await (await web1.fetch('/')).text();
    assert.match(page, /posted by a form é/);
  });

  it('GET / shows the answering host, the latest messages and a form, HTML escaped', async () => {
    const evil = `<script>alert("x")</script> & 'quoted'`;
    assert.equal((await web1.postJson({ text: evil })).status, 201);
    const res = await web1.fetch('/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('x-served-by'), 'web-01');
    const html = await res.text();
    assert.match(html, /<strong id="served-by">web-01<\/strong>/);
    assert.match(html, /<form method="post" action="\/messages">/);
    assert.ok(!html.includes('<script>'), 'raw <script> in the page');
    assert.ok(
      html.includes('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;quoted&#39;'),
    );
    // newest first
    assert.ok(html.indexOf('&#60;script') < html.indexOf('posted by a form'));
  });

  it('validates input: 400 for empty, too long, bad JSON or no text; 415 for other types', async () => {
    const cases: [unknown, RegExp][] = [
      [{ text: '' }, /must not be empty/],
      [{ text: '   ' }, /must not be empty/],
      [{ text: 'x'.repeat(201) }, /at most 200 characters/],
      [{ text: 42 }, /text is required/],
      [{}, /text is required/],
      ['{not json', /not valid JSON/],
      [{ text: 'bell\u0007' }, /control characters/],
    ];
    for (const [body, why] of cases) {
      const res = await web1.postJson(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(((await res.json()) as { error: string }).error, why);
    }
    // exactly 200 characters (multi-byte ones too) is accepted
    const ok = await web1.postJson({ text: 'é'.repeat(200) });
    assert.equal(ok.status, 201);
    const { id } = (await ok.json()) as { id: number };
    const row = (await (await web1.fetch(`/messages/${id}`)).json()) as { text: string };
    assert.equal(row.text, 'é'.repeat(200));

    const form = await web1.fetch('/messages', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `text=${'y'.repeat(201)}`,
    });
    assert.equal(form.status, 400);
    assert.match(await form.text(), /<p class="error" role="alert">text must be at most 200/);

    const plain = await web1.fetch('/messages', { method: 'POST', body: 'text=hi' });
    assert.equal(plain.status, 415);
  });

  it('a body over 16 KiB is answered 413, whole, not cut off (through a proxy that sends it all, a cut was a 502)', async () => {
    for (const size of [17 * 1024, 200 * 1024]) {
      const res = await web1.fetch('/messages', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: 'x'.repeat(size) }),
      });
      assert.equal(res.status, 413, `${size} bytes`);
      assert.match(((await res.json()) as { error: string }).error, /over 16384 bytes/);
    }
  });

  it('logs the address Nginx gives (X-Real-IP), never a client-supplied X-Forwarded-For', async () => {
    const res = await web1.fetch('/healthz', {
      headers: { 'X-Real-IP': '192.0.2.7', 'X-Forwarded-For': '203.0.113.66' },
    });
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, 100));
    assert.match(web1.output, /^192\.0\.2\.7 "GET \/healthz" 200 [\d.]+ms$/m);
    assert.ok(!web1.output.includes('203.0.113.66'), web1.output);
  });

  it('GET /messages/:id answers 404 for a missing or malformed id; other paths 404/405', async () => {
    for (const p of ['/messages/999999', '/messages/abc', '/messages/1/x']) {
      const res = await web1.fetch(p);
      assert.equal(res.status, 404, p);
      assert.equal(res.headers.get('x-served-by'), 'web-01');
    }
    assert.equal((await web1.fetch('/nope')).status, 404);
    const del = await web1.fetch('/messages', { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(del.headers.get('allow'), 'GET, HEAD, POST');
  });

  it('on a read-only local server, writes go to the primary with the write account', async () => {
    const res = await web2.postJson({ text: 'written via the primary' });
    assert.equal(res.status, 201);
    const { id, host } = (await res.json()) as { id: number; host: string };
    assert.equal(host, 'web-02');
    // The row is on the primary (web-01 reads it locally) ...
    const row = (await (await web1.fetch(`/messages/${id}`)).json()) as { host: string };
    assert.equal(row.host, 'web-02');
    // ... and not on web-02's own server (here nothing replicates; reads stay local).
    assert.equal((await web2.fetch(`/messages/${id}`)).status, 404);
    assert.deepEqual(await (await web2.fetch('/messages')).json(), []);
    assert.match(await (await web2.fetch('/')).text(), /No messages yet/);
  });

  it('on a read-only local server without a write account, a write answers 503', async () => {
    const res = await web3.postJson({ text: 'nowhere to go' });
    assert.equal(res.status, 503);
    assert.match(((await res.json()) as { error: string }).error, /read-only/);
    assert.equal(await replica!.mustSql("SHOW TABLES FROM foobar LIKE 'messages';"), '');
  });

  it('logs one line per request and never a password', () => {
    assert.match(web1.output, /^127\.0\.0\.1 "GET \/healthz" 200 [\d.]+ms$/m);
    assert.match(web1.output, /^127\.0\.0\.1 "POST \/messages" 201 [\d.]+ms$/m);
    for (const app of apps) {
      assert.ok(!app.output.includes(APP_PASSWORD), `${app.hostname} logged the app password`);
      assert.ok(!app.output.includes(WRITE_PASSWORD), `${app.hostname} logged the write password`);
    }
  });

  it('SIGTERM: stops accepting, finishes the request in flight, exits 0', async () => {
    // Hold web-03's database so that a request is in flight when SIGTERM comes.
    let inFlight: Promise<Response>;
    try {
      await freeze(replica!.proc!);
      inFlight = web3.fetch('/messages');
      // How it ended, if it ended early: said in the failure, with the app's log.
      let early: string | undefined;
      void inFlight.then(
        (r) => (early = `was answered ${r.status}`),
        (e: Error & { cause?: { code?: string } }) =>
          (early = `failed: ${e.message} ${e.cause?.code ?? ''}`),
      );
      // Long enough for the request to reach the app even on a loaded machine; the
      // frozen database holds it there.
      await sleep(1000);
      assert.equal(
        early,
        undefined,
        `the request should be held by the frozen database, but it ${early}\n${web3.output}`,
      );
      web3.proc!.kill('SIGTERM');
      await sleep(300);
      assert.equal(web3.proc!.exitCode, null, 'exited with a request in flight');
      await assert.rejects(fetch(`${web3.url}/healthz`), 'still accepts connections');
    } finally {
      replica!.proc!.kill('SIGCONT');
    }
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), []);
    assert.equal(await exited(web3.proc!, 10_000), 0, web3.output);
    assert.match(web3.output, /SIGTERM: no new connections[\s\S]*shutdown: done/);
  });

  it('GET /healthz answers 503 within about 1 s when the local database hangs', async () => {
    assert.equal((await web2.fetch('/healthz')).status, 200);
    try {
      // Every thread of the server is stopped before the request.
      await freeze(replica!.proc!);
      const started = Date.now();
      const res = await web2.fetch('/healthz');
      const took = Date.now() - started;
      assert.equal(res.status, 503);
      assert.ok(took >= 900 && took < 2500, `answered in ${took} ms`);
    } finally {
      replica!.proc!.kill('SIGCONT');
    }
    assert.equal((await web2.fetch('/healthz')).status, 200);
  });

  it('GET /healthz answers 503 once the local database is stopped', async () => {
    assert.equal(await stop(primary!.proc, 30_000), 0, primary!.log);
    const started = Date.now();
    const res = await web1.fetch('/healthz');
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('x-served-by'), 'web-01');
    assert.ok(Date.now() - started < 2000, 'health check took over 2 s');
    // web-02 still reads its own server; its writes now fail cleanly
    assert.equal((await web2.fetch('/healthz')).status, 200);
    assert.equal((await web2.postJson({ text: 'primary down' })).status, 503);
  });
});

describe('site app: the build', function () {
  this.timeout(5 * 60_000);
  const siteApp = path.join(ROOT, 'site-app');
  let tmp = '';

  before(async function () {
    if (!fs.existsSync(path.join(siteApp, 'node_modules', 'esbuild'))) {
      const r = await run('npm', ['ci', '--prefix', siteApp, '--no-audit', '--no-fund'], {
        timeoutMs: 4 * 60_000,
      });
      requireOrSkip(this, r.code === 0, `npm ci --prefix site-app failed: ${r.stderr.slice(-300)}`);
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-site-build-'));
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  function tree(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const entry of fs.readdirSync(dir, { recursive: true }) as string[]) {
      const file = path.join(dir, entry);
      if (fs.statSync(file).isFile()) {
        out[entry] = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      }
    }
    return out;
  }

  it('is deterministic, and playbooks/files/site is its current output', async () => {
    const outs = [path.join(tmp, 'a'), path.join(tmp, 'b')];
    for (const out of outs) {
      const r = await run(process.execPath, [path.join(siteApp, 'build.js'), '--out', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /server\.js \d+ bytes/);
    }
    const [a, b] = outs.map(tree);
    assert.deepEqual(Object.keys(a!).sort(), ['VERSION', 'server.js', 'static/style.css']);
    assert.deepEqual(a, b);
    assert.deepEqual(tree(SITE), a, 'playbooks/files/site is stale: run node site-app/build.js');
    const version = fs.readFileSync(path.join(outs[0]!, 'VERSION'), 'utf8');
    assert.match(version, /^sha256:[0-9a-f]{64}\n$/);
  });

  it('bundles everything: the server needs nothing but Node built-ins', () => {
    const code = fs.readFileSync(BUNDLE, 'utf8');
    const required = new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
    const builtins = new Set(builtinModules);
    for (const name of required) {
      assert.ok(builtins.has(name.replace(/^node:/, '')), `bundle requires ${name}`);
    }
    assert.ok(!code.includes(ROOT + '/'), 'bundle holds an absolute path of the build machine');
  });
});
