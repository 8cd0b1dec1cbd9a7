import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  inspectScript,
  parseInspection,
  validatorProgram,
  type Candidate,
  type Inspection,
} from '../../src/engine/inspect-script';

/** The inspect scripts, run for real by the local /bin/sh with a private TMPDIR. */
describe('inspect scripts on a real shell', () => {
  /** The TMPDIR the script makes its candidate folder in: empty before and after a run. */
  let tmp: string;
  /** Where the destination files live. */
  let work: string;
  /** Processes a test started in their own group, killed (whole group) after it. */
  let started: ChildProcess[];

  const both = { before: true, validate: true };
  const env = () => ({ ...process.env, TMPDIR: tmp });
  const leftovers = () => fs.readdirSync(tmp);
  const candidate = (p: string, content: string | Buffer, validate?: string): Candidate => ({
    path: p,
    content: Buffer.isBuffer(content) ? content : Buffer.from(content),
    ...(validate === undefined ? {} : { validate }),
  });
  /** Runs the script to its end, checks it succeeded and left TMPDIR empty, and parses it. */
  const run = (
    candidates: Candidate[],
    options: { before: boolean; validate: boolean } = both,
  ): Inspection[] => {
    const { script, stdin } = inspectScript(candidates, options);
    const r = spawnSync('sh', ['-c', script], { input: stdin, env: env() });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.deepEqual(leftovers(), [], 'the candidate folder was left behind');
    return parseInspection(candidates, r.stdout);
  };
  /** A validator that always fails, printing the candidate's exact bytes as hex. */
  const hexDump = `sh -c 'od -An -tx1 -v "$1" | tr -d " \\n"; exit 1' sh %s`;
  const failedOutput = (i: Inspection): string => {
    assert.equal(i.validation?.status, 'failed', JSON.stringify(i.validation));
    return i.validation.output;
  };

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-inspect-tmp-'));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-inspect-work-'));
    started = [];
  });
  afterEach(() => {
    for (const child of started) {
      if (child.pid === undefined) continue;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group has already gone.
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  describe('before', () => {
    it('returns any existing file byte for byte: NUL, no trailing newline, trailing newline, empty', () => {
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const files = {
        binary: Buffer.concat([all, Buffer.from('\0\0end')]),
        noNewline: Buffer.from('no newline at the end'),
        newline: Buffer.from('line one\nline two\n\n'),
        big: Buffer.from('0123456789abcdef'.repeat(20_000)),
        empty: Buffer.alloc(0),
      };
      const paths = Object.keys(files).map((name) => path.join(work, name));
      Object.values(files).forEach((content, i) => fs.writeFileSync(paths[i]!, content));
      const result = run(
        paths.map((p) => candidate(p, 'planned')),
        { before: true, validate: false },
      );
      assert.equal(result.length, paths.length);
      Object.values(files).forEach((content, i) => {
        assert.ok(result[i]!.before, `${paths[i]}: no before`);
        assert.ok(result[i]!.before.equals(content), `${paths[i]}: the bytes differ`);
        assert.equal(result[i]!.validation, undefined);
      });
    });

    it('is undefined for an absent file and for a directory at the path', () => {
      fs.mkdirSync(path.join(work, 'a-dir'));
      fs.writeFileSync(path.join(work, 'present'), 'here\n');
      const result = run(
        [
          candidate(path.join(work, 'absent.cfg'), 'x'),
          candidate(path.join(work, 'a-dir'), 'x'),
          candidate(path.join(work, 'present'), 'x'),
        ],
        { before: true, validate: false },
      );
      assert.equal(result[0]!.before, undefined);
      assert.equal(result[1]!.before, undefined);
      assert.equal(result[2]!.before?.toString(), 'here\n');
    });

    it('reads nothing and validates nothing when neither is asked for', () => {
      fs.writeFileSync(path.join(work, 'present'), 'here\n');
      const c = [candidate(path.join(work, 'present'), 'x', 'false %s')];
      const { stdin } = inspectScript(c, { before: false, validate: false });
      assert.equal(stdin.length, 0);
      assert.deepEqual(run(c, { before: false, validate: false }), [{}]);
      // Validators only: the current content is not read.
      const validated = run(c, { before: false, validate: true });
      assert.equal(validated[0]!.before, undefined);
      assert.equal(validated[0]!.validation?.status, 'failed');
    });
  });

  describe('validate', () => {
    it('passes when the validator exits 0', () => {
      const c = candidate(path.join(work, 'app.cfg'), 'good\n', 'grep -q good %s');
      assert.deepEqual(run([c]), [
        { before: undefined, validation: { status: 'passed', command: 'grep -q good %s' } },
      ]);
      // The same validator on other content fails: the check is on the candidate.
      const bad = candidate(path.join(work, 'app.cfg'), 'bad\n', 'grep -q good %s');
      assert.equal(run([bad])[0]!.validation?.status, 'failed');
    });

    it('fails with the exit code and the output (stdout and stderr) of the validator', () => {
      const validate = `sh -c 'cat "$1"; echo broken >&2; exit 3' sh %s`;
      const [r] = run([candidate(path.join(work, 'app.cfg'), 'the candidate content\n', validate)]);
      assert.deepEqual(r!.validation, {
        status: 'failed',
        command: validate,
        exitCode: 3,
        output: 'the candidate content\nbroken',
      });
    });

    it('reports a validator whose program is not installed as unavailable', () => {
      const missing = 'no-such-program-xyz -c %s';
      const absolute = '/nonexistent/sbin/no-such-validator --check %s';
      const withEnv = 'LC_ALL=C no-such-program-xyz -t %s';
      const result = run([
        candidate(path.join(work, 'a.cfg'), 'a', missing),
        candidate(path.join(work, 'b.cfg'), 'b', absolute),
        candidate(path.join(work, 'c.cfg'), 'c', withEnv),
      ]);
      assert.deepEqual(
        result.map((r) => r.validation),
        [
          { status: 'unavailable', command: missing, program: 'no-such-program-xyz' },
          {
            status: 'unavailable',
            command: absolute,
            program: '/nonexistent/sbin/no-such-validator',
          },
          { status: 'unavailable', command: withEnv, program: 'no-such-program-xyz' },
        ],
      );
    });

    it('handles several candidates in one script, each with its own result, in order', () => {
      fs.writeFileSync(path.join(work, 'passing.cfg'), 'old passing\n');
      const failing = `sh -c 'echo "refused: $(cat "$1")"; exit 2' sh %s`;
      const planned = Buffer.from('\0binary\nwith a trailing newline\n');
      const result = run([
        candidate(path.join(work, 'passing.cfg'), 'good\n', 'grep -qx good %s'),
        candidate(path.join(work, 'failing.cfg'), 'bad', failing),
        candidate(path.join(work, 'plain.cfg'), 'no validator'),
        candidate(path.join(work, 'unavailable.cfg'), 'xyz', 'no-such-program-xyz %s'),
        candidate(path.join(work, 'last.bin'), planned, hexDump),
      ]);
      assert.equal(result.length, 5);
      assert.equal(result[0]!.before?.toString(), 'old passing\n');
      assert.deepEqual(result[0]!.validation, { status: 'passed', command: 'grep -qx good %s' });
      assert.equal(result[1]!.before, undefined);
      assert.deepEqual(result[1]!.validation, {
        status: 'failed',
        command: failing,
        exitCode: 2,
        output: 'refused: bad',
      });
      assert.deepEqual(result[2], { before: undefined });
      assert.equal(result[3]!.validation?.status, 'unavailable');
      // Every earlier payload was read by its exact size: the last one is intact.
      assert.equal(failedOutput(result[4]!), planned.toString('hex'));
    });

    // The validator's stdin is /dev/null: the script's stdin still holds the
    // later candidates' contents.
    it('a validator that reads stdin does not take the next candidate’s content', () => {
      const reader = `sh -c 'cat >/dev/null; exit 0' sh %s`;
      const result = run([
        candidate(path.join(work, 'first.cfg'), 'first', reader),
        candidate(path.join(work, 'second.cfg'), 'good\n', hexDump),
      ]);
      assert.equal(result[0]!.validation?.status, 'passed');
      assert.equal(failedOutput(result[1]!), Buffer.from('good\n').toString('hex'));
    });
  });

  describe('validatorProgram', () => {
    it('is the first word after any VAR=value assignments, when it is a plain word', () => {
      assert.equal(validatorProgram('haproxy -c -f %s'), 'haproxy');
      assert.equal(validatorProgram('LC_ALL=C nginx -t -c %s'), 'nginx');
      assert.equal(validatorProgram('A=1 B=2  visudo -c -f %s'), 'visudo');
      assert.equal(
        validatorProgram('/usr/sbin/mysqld --defaults-file=%s --validate-config'),
        '/usr/sbin/mysqld',
      );
      assert.equal(validatorProgram("'quoted' x"), undefined);
      assert.equal(validatorProgram('$(which nginx) -t -c %s'), undefined);
      assert.equal(validatorProgram('FOO=1'), undefined);
    });
  });

  describe('the candidate folder', () => {
    it('is removed after a pass, a failure and an unavailable validator', () => {
      // run() asserts that TMPDIR is empty after each run.
      assert.equal(
        run([candidate(`${work}/a`, 'good', 'grep -q good %s')])[0]!.validation?.status,
        'passed',
      );
      assert.equal(run([candidate(`${work}/a`, 'x', 'false %s')])[0]!.validation?.status, 'failed');
      assert.equal(
        run([candidate(`${work}/a`, 'x', 'no-such-program-xyz %s')])[0]!.validation?.status,
        'unavailable',
      );
      // A validator that exits the whole inner shell does not skip the cleanup either.
      assert.equal(run([candidate(`${work}/a`, 'x', 'exit 9')])[0]!.validation?.status, 'failed');
    });

    it('is a private 0700 folder in TMPDIR, holding the candidate under its own name', () => {
      const validate = `sh -c 'd=$(dirname "$1"); echo "$d"; stat -c "%a %U" "$(dirname "$d")"; basename "$1"; exit 1' sh %s`;
      const output = failedOutput(run([candidate(`${work}/app.cfg`, 'x', validate)])[0]!);
      const [dir, mode, name] = output.split('\n');
      // The candidate sits in <TMPDIR>/foobar-infra-check.XXXXXX/<index>/.
      assert.match(dir!, /\/foobar-infra-check\.[A-Za-z0-9]{6}\/0$/);
      assert.equal(path.dirname(path.dirname(dir!)), tmp);
      // The folder in TMPDIR is 0700 and ours: nobody else can reach the
      // candidate (its own per-index subfolder follows the umask).
      assert.equal(mode, `700 ${os.userInfo().username}`);
      assert.equal(name, 'app.cfg');
    });

    it('holds exactly the planned bytes, across several payloads', () => {
      const contents = [
        Buffer.from('plain text\n'),
        Buffer.from([0, 1, 2, 255, 10, 0]),
        Buffer.alloc(0),
        Buffer.from('no trailing newline'),
        Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 7919) % 256)),
        Buffer.from('last\n\n'),
      ];
      const result = run(contents.map((c, i) => candidate(`${work}/f${i}`, c, hexDump)));
      contents.forEach((c, i) =>
        assert.equal(failedOutput(result[i]!), c.toString('hex'), `candidate ${i}`),
      );
      // And a plain `cat` of the candidate shows the planned text.
      const [r] = run([candidate(`${work}/g`, 'line 1\nline 2', 'cat %s; exit 1')]);
      assert.equal(failedOutput(r!), 'line 1\nline 2');
    });

    /** Starts a script whose validator hangs, and resolves once the validator runs. */
    async function hangingValidation() {
      const c = [candidate(`${work}/app.cfg`, 'x', 'touch %s.started && sleep 30')];
      const { script, stdin } = inspectScript(c, both);
      const child = spawn('sh', ['-c', script], { env: env(), detached: true });
      started.push(child);
      child.stdout.resume();
      child.stderr.resume();
      child.stdin.end(stdin);
      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => resolve(code)),
      );
      const isStarted = () => {
        const [folder] = leftovers();
        return (
          folder !== undefined && fs.existsSync(path.join(tmp, folder, '0', 'app.cfg.started'))
        );
      };
      assert.ok(await until(isStarted, 5000), 'the validator did not start');
      return { pid: child.pid!, exited };
    }

    // sh defers a trap until a foreground command ends, so the validator runs
    // in the background and is waited for: the signal interrupts the wait.
    it('is removed when the script is killed mid-validation', async function () {
      this.timeout(15_000);
      const { pid } = await hangingValidation();
      process.kill(pid, 'SIGTERM');
      const cleaned = await until(() => leftovers().length === 0, 5000);
      assert.ok(cleaned, `left behind in TMPDIR: ${leftovers().join(', ')}`);
    });

    it('is removed when the whole process group is hung up mid-validation', async function () {
      this.timeout(15_000);
      const { pid, exited } = await hangingValidation();
      process.kill(-pid, 'SIGHUP');
      assert.ok(await until(() => leftovers().length === 0, 5000), 'the folder was left behind');
      assert.equal(await exited, 129);
    });
  });

  it('writes nothing else: the destination keeps its content and mtime', () => {
    const dest = path.join(work, 'live.cfg');
    fs.writeFileSync(dest, 'live content\n');
    const past = new Date('2001-02-03T04:05:06Z');
    fs.utimesSync(dest, past, past);
    const result = run([
      candidate(dest, 'good\n', 'grep -q good %s'),
      candidate(dest, 'other\n', 'cat %s; exit 1'),
    ]);
    assert.equal(result[0]!.before?.toString(), 'live content\n');
    assert.equal(result[0]!.validation?.status, 'passed');
    assert.equal(failedOutput(result[1]!), 'other');
    assert.equal(fs.readFileSync(dest, 'utf8'), 'live content\n');
    assert.equal(fs.statSync(dest).mtime.getTime(), past.getTime());
    assert.deepEqual(fs.readdirSync(work), ['live.cfg']);
  });

  describe('parseInspection', () => {
    const c = [candidate('/etc/app.cfg', 'x', 'grep -q x %s')];
    const output = () => {
      fs.writeFileSync(path.join(work, 'app.cfg'), 'current\n');
      const cs = [candidate(path.join(work, 'app.cfg'), 'x', 'grep -q x %s')];
      const { script, stdin } = inspectScript(cs, both);
      const r = spawnSync('sh', ['-c', script], { input: stdin, env: env() });
      assert.equal(r.status, 0, r.stderr.toString());
      return r.stdout;
    };

    it('reads a complete output', () => {
      const parsed = parseInspection(c, output());
      assert.equal(parsed[0]!.before?.toString(), 'current\n');
      assert.equal(parsed[0]!.validation?.status, 'passed');
    });

    it('throws on an output cut short', () => {
      const full = output();
      const end = Buffer.from('@@fb-inspect end\n');
      assert.ok(full.subarray(full.length - end.length).equals(end));
      const withoutEnd = full.subarray(0, full.length - end.length);
      assert.throws(() => parseInspection(c, withoutEnd), /cut short/);
      assert.throws(() => parseInspection(c, full.subarray(0, full.length - 1)), /cut short/);
      // Cut inside a record: after the "before" mark, before its content.
      const mark = full.indexOf('@@fb-inspect 0 before\n') + '@@fb-inspect 0 before\n'.length;
      assert.throws(() => parseInspection(c, full.subarray(0, mark)), /cut short/);
      assert.throws(() => parseInspection(c, Buffer.alloc(0)), /cut short/);
    });

    it('throws on garbage', () => {
      const bad = (text: string) => () => parseInspection(c, Buffer.from(text));
      assert.throws(bad('hello\n@@fb-inspect end\n'), /unexpected inspection output/);
      assert.throws(bad('@@fb-inspect 0 exploded\n@@fb-inspect end\n'), /unexpected/);
      assert.throws(bad('@@fb-inspect 7 absent\n@@fb-inspect end\n'), /unexpected/);
      assert.throws(bad('@@fb-inspect -1 absent\n@@fb-inspect end\n'), /unexpected/);
      assert.throws(bad('@@fb-inspectX 0 absent\n@@fb-inspect end\n'), /unexpected/);
    });
  });

  it('works for a destination whose name has spaces, quotes and shell characters', () => {
    const name = `it's "a" $(echo no) \`echo no\` \\ file.cfg`;
    const dest = path.join(work, name);
    fs.writeFileSync(dest, 'current\n');
    const validate = `sh -c 'basename "$1"; cat "$1"; exit 1' sh %s`;
    const result = run([
      candidate(dest, 'planned', validate),
      candidate(path.join(work, `it's "a" file.cfg`), 'good', 'grep -q good %s'),
    ]);
    assert.equal(result[0]!.before?.toString(), 'current\n');
    assert.equal(failedOutput(result[0]!), `${name}\nplanned`);
    assert.equal(result[1]!.before, undefined);
    assert.equal(result[1]!.validation?.status, 'passed');
  });
});

/** Polls `check` every 50 ms until it holds (true) or `ms` have passed (false). */
async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
