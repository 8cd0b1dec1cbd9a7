import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lockScript, parseLock, type LockRequest } from '../../src/engine/lock-script';

/**
 * The run lock's script on the local shell. On a host, a holder is the sshd
 * process of the holder's connection; here each "connection" is a long-lived
 * copy of sh whose name starts with sshd, and the lock script runs as its
 * child, as it runs under sshd on a host.
 */
describe('the run lock (its script on a real shell)', function () {
  this.timeout(20_000);
  let work: string;
  let dir: string;
  const connections: ChildProcess[] = [];

  /** A fake connection: a process named sshd-<name> that runs lock scripts it is sent. */
  function connection(name: string) {
    const bin = path.join(work, `sshd-${name}`);
    fs.copyFileSync('/bin/sh', bin);
    fs.chmodSync(bin, 0o755);
    // It reads one script path per line and runs it in a child sh, output to <path>.out.
    const child = spawn(
      bin,
      ['-c', 'while read -r f; do sh "$f" > "$f.out" 2>&1; echo done > "$f.done"; done'],
      { stdio: ['pipe', 'ignore', 'ignore'] },
    );
    connections.push(child);
    let n = 0;
    return {
      child,
      async lock(request: Partial<LockRequest> = {}) {
        const file = path.join(work, `${name}-${n++}.sh`);
        const full: LockRequest = {
          mode: 'exclusive',
          owner: `apply by ${name}`,
          waitSeconds: 0,
          ...request,
        };
        fs.writeFileSync(file, lockScript(full, dir));
        child.stdin!.write(`${file}\n`);
        for (let i = 0; i < 400 && !fs.existsSync(`${file}.done`); i++)
          await new Promise((r) => setTimeout(r, 25));
        const out = fs.readFileSync(`${file}.out`, 'utf8');
        return parseLock(out).outcome;
      },
      kill() {
        child.kill('SIGKILL');
        return new Promise((r) => child.once('exit', r));
      },
    };
  }

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-lock-'));
    dir = path.join(work, 'lock');
  });
  afterEach(() => {
    for (const c of connections.splice(0)) c.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('a second exclusive run is refused, naming the holder; the holder itself keeps it', async () => {
    const a = connection('a');
    const b = connection('b');
    assert.deepEqual(await a.lock(), { held: true });
    assert.deepEqual(await a.lock(), { held: true }, 'the same connection holds it already');
    const refused = await b.lock();
    assert.equal(refused.held, false);
    assert.ok(!refused.held && refused.holders.length === 1);
    assert.match(
      !refused.held ? refused.holders[0]!.text : '',
      /^exclusive since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ by apply by a$/,
    );
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  });

  it('the holder dying (SIGKILL) frees the lock at once: the next run finds it stale and takes it', async () => {
    const a = connection('a');
    const b = connection('b');
    assert.deepEqual(await a.lock(), { held: true });
    await a.kill();
    assert.deepEqual(await b.lock(), { held: true });
    const holders = fs.readFileSync(path.join(dir, 'holders'), 'utf8').trim().split('\n');
    assert.equal(holders.length, 1, 'the stale holder was dropped');
    assert.match(holders[0]!, /apply by b$/);
  });

  it("a holder known to be dead is broken: its claim dropped and its connection's process ended", async () => {
    const a = connection('a');
    const b = connection('b');
    assert.deepEqual(await a.lock(), { held: true });
    const refused = await b.lock();
    assert.ok(!refused.held);
    const exited = new Promise((r) => a.child.once('exit', r));
    assert.deepEqual(await b.lock({ breakIds: [refused.holders[0]!.id] }), { held: true });
    await exited; // the dead run's "sshd" was ended
  });

  it('--lock-timeout waits for the holder to finish', async () => {
    const a = connection('a');
    const b = connection('b');
    assert.deepEqual(await a.lock(), { held: true });
    const started = Date.now();
    const waiting = b.lock({ waitSeconds: 10 });
    setTimeout(() => void a.kill(), 1500);
    assert.deepEqual(await waiting, { held: true });
    const waited = Date.now() - started;
    assert.ok(waited >= 1400 && waited < 8000, `waited ${waited} ms`);
  });

  it('dry runs share the lock with each other, never with an apply', async () => {
    const d1 = connection('d1');
    const d2 = connection('d2');
    const apply = connection('apply');
    assert.deepEqual(await d1.lock({ mode: 'shared', owner: 'diff by d1' }), { held: true });
    assert.deepEqual(await d2.lock({ mode: 'shared', owner: 'diff by d2' }), { held: true });
    const refused = await apply.lock();
    assert.ok(!refused.held);
    assert.equal(refused.holders.length, 2);
    await d1.kill();
    await d2.kill();
    assert.deepEqual(await apply.lock(), { held: true });
    const d3 = connection('d3');
    const busy = await d3.lock({ mode: 'shared', owner: 'diff by d3' });
    assert.ok(!busy.held);
    assert.match(busy.holders[0]!.text, /^exclusive .* by apply by apply$/);
  });

  it('an owner text cannot break the holders file', async () => {
    const a = connection('a');
    assert.deepEqual(await a.lock({ owner: "x'; rm -rf / ; echo \n injected" }), { held: true });
    const line = fs.readFileSync(path.join(dir, 'holders'), 'utf8');
    assert.equal(line.trim().split('\n').length, 1);
    assert.doesNotMatch(line, /[';\n]\s*rm/);
  });

  it('without an sshd ancestor the lock is refused with a clear error, not silently skipped', function () {
    // Over SSH (a developer's session), this process has an sshd ancestor itself.
    if (hasSshdAncestor()) this.skip();
    const r = spawnSync(
      'sh',
      ['-c', lockScript({ mode: 'exclusive', owner: 'x', waitSeconds: 0 }, dir)],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 74);
    assert.match(r.stderr, /cannot find the sshd process of this connection/);
  });

  it('parseLock reads the verdict and hands back the rest of the output', () => {
    assert.deepEqual(parseLock('@@fb-lock held\nfacts\n'), {
      outcome: { held: true },
      rest: 'facts\n',
    });
    assert.deepEqual(
      parseLock('@@fb-lock busy 12:34 exclusive since T by a;56:78 shared since T by b;\n'),
      {
        outcome: {
          held: false,
          holders: [
            { id: '12:34', text: 'exclusive since T by a' },
            { id: '56:78', text: 'shared since T by b' },
          ],
        },
        rest: '',
      },
    );
    assert.throws(() => parseLock('garbage\n'), /gave no verdict/);
  });
});

function hasSshdAncestor(): boolean {
  let pid = process.pid;
  while (pid > 1) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(sshd/.test(stat)) return true;
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return false;
}
