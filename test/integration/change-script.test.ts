import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { changeScript, completedGroups, VALIDATION_FAILED } from '../../src/engine/change-script';
import { parsePending } from '../../src/engine/handler-state';
import type { Change } from '../../src/changes/model';

/** The change scripts, run for real by the local /bin/sh in a temp folder. */
describe('change scripts on a real shell', () => {
  let dir: string;
  let state: string;
  const absent = (p: string) => ({ path: p, exists: false });
  const write = (
    p: string,
    content: string,
    extra: Partial<Extract<Change, { kind: 'write' }>> = {},
  ): Change => ({
    kind: 'write',
    path: p,
    content: Buffer.from(content),
    mode: '0640',
    owner: 'root',
    group: 'root',
    backup: false,
    before: absent(p),
    secret: false,
    ...extra,
  });
  const run = (changes: Change[], options: Parameters<typeof changeScript>[1] = {}) => {
    const { script, stdin } = changeScript(changes, { stateFile: state, ...options });
    return spawnSync('sh', ['-c', script], { input: stdin, encoding: 'utf8' });
  };
  const leftovers = () => fs.readdirSync(dir).filter((f) => f.includes('.foobar-'));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-change-'));
    state = path.join(dir, 'state', 'pending');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes several files from one stdin, each with its exact bytes and mode', () => {
    const big = 'x'.repeat(200_000) + '\n';
    const r = run([
      write(`${dir}/a.conf`, 'alpha\n'),
      write(`${dir}/b.bin`, big),
      write(`${dir}/empty`, ''),
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(`${dir}/a.conf`, 'utf8'), 'alpha\n');
    assert.equal(fs.readFileSync(`${dir}/b.bin`, 'utf8'), big);
    assert.equal(fs.readFileSync(`${dir}/empty`, 'utf8'), '');
    assert.equal((fs.statSync(`${dir}/a.conf`).mode & 0o777).toString(8), '640');
    assert.deepEqual(leftovers(), []);
  });

  it('a link in the place of the file is replaced, never followed into the folder it names', () => {
    fs.mkdirSync(`${dir}/elsewhere`);
    fs.symlinkSync(`${dir}/elsewhere`, `${dir}/site.conf`);
    const r = run([
      write(`${dir}/site.conf`, 'wanted\n', {
        before: { path: `${dir}/site.conf`, exists: true, type: 'link' },
      }),
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.lstatSync(`${dir}/site.conf`).isFile(), 'the link is replaced by the file');
    assert.equal(fs.readFileSync(`${dir}/site.conf`, 'utf8'), 'wanted\n');
    assert.deepEqual(fs.readdirSync(`${dir}/elsewhere`), [], 'nothing lands in the linked folder');
  });

  it('a folder to make where a link stands (there since the plan) fails, and the folder it points to keeps its mode and gets nothing', () => {
    fs.mkdirSync(`${dir}/elsewhere`, { mode: 0o700 });
    fs.symlinkSync(`${dir}/elsewhere`, `${dir}/css`);
    const r = run([
      { kind: 'mkdir', path: `${dir}/css`, mode: '0755', owner: 'root', group: 'root' },
      write(`${dir}/css/site.css`, 'wanted\n'),
    ]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /css is a symbolic link, not a directory/);
    assert.equal((fs.statSync(`${dir}/elsewhere`).mode & 0o777).toString(8), '700');
    assert.deepEqual(fs.readdirSync(`${dir}/elsewhere`), []);
  });

  it('a folder in the place of the file (there since the plan) fails the write and is left as it was', () => {
    fs.mkdirSync(`${dir}/site.conf`);
    fs.writeFileSync(`${dir}/site.conf/keep`, 'theirs\n');
    const r = run([write(`${dir}/site.conf`, 'wanted\n')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /cannot replace .*site\.conf/);
    assert.deepEqual(fs.readdirSync(`${dir}/site.conf`), ['keep']);
    assert.deepEqual(leftovers(), []);
  });

  it('a failing validate keeps the live file byte for byte, removes the candidate, and exits 65 with its output', () => {
    fs.writeFileSync(`${dir}/live.cfg`, 'old\n');
    const r = run([
      write(`${dir}/live.cfg`, 'new\n', {
        validate: 'grep -q good %s || { echo "bad config in %s"; exit 1; }',
      }),
    ]);
    assert.equal(r.status, VALIDATION_FAILED);
    assert.match(r.stderr, /bad config in .*\.live\.cfg\.foobar-/);
    assert.equal(fs.readFileSync(`${dir}/live.cfg`, 'utf8'), 'old\n');
    assert.deepEqual(leftovers(), []);
  });

  it('a passing validate swaps the file in, keeping a backup when asked', () => {
    fs.writeFileSync(`${dir}/live.cfg`, 'old\n');
    const r = run([
      write(`${dir}/live.cfg`, 'good\n', {
        validate: 'grep -q good %s',
        backup: true,
        before: { path: `${dir}/live.cfg`, exists: true, type: 'file' },
      }),
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(`${dir}/live.cfg`, 'utf8'), 'good\n');
    const backups = fs.readdirSync(dir).filter((f) => f.endsWith('.bak'));
    assert.equal(backups.length, 1);
    assert.equal(fs.readFileSync(`${dir}/${backups[0]}`, 'utf8'), 'old\n');
  });

  it('records notified handlers before the change, and clears them by name', () => {
    const handler = { play: 'Web servers', handler: 'reload nginx' };
    const other = { play: 'Web servers', handler: 'restart app' };
    assert.equal(run([write(`${dir}/x`, '1')], { record: [handler, other] }).status, 0);
    assert.deepEqual(parsePending(fs.readFileSync(state, 'utf8')), [handler, other]);
    // A change that fails after recording still leaves the record.
    const failed = run([{ kind: 'command', argv: ['false'], reason: 'test' }], {
      record: [handler],
    });
    assert.notEqual(failed.status, 0);
    // A candidate refused by its validator changed nothing: it leaves no new record.
    const refused = { play: 'Web servers', handler: 'reload haproxy' };
    assert.equal(
      run([write(`${dir}/y`, 'bad', { validate: 'false %s' })], { record: [refused] }).status,
      VALIDATION_FAILED,
    );
    assert.ok(!fs.readFileSync(state, 'utf8').includes('reload haproxy'));
    assert.equal(run([], { clear: [handler] }).status, 0);
    assert.deepEqual(parsePending(fs.readFileSync(state, 'utf8')), [other]);
  });

  it('directories, links, attributes and removal', () => {
    const r = run([
      { kind: 'mkdir', path: `${dir}/a/b`, mode: '0750', owner: 'root', group: 'root' },
      {
        kind: 'symlink',
        path: `${dir}/current`,
        target: `${dir}/a/b`,
        before: absent(`${dir}/current`),
      },
      {
        kind: 'symlink',
        path: `${dir}/current`,
        target: `${dir}/a`,
        before: absent(`${dir}/current`),
      },
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((fs.statSync(`${dir}/a/b`).mode & 0o777).toString(8), '750');
    assert.equal(fs.readlinkSync(`${dir}/current`), `${dir}/a`);
    fs.writeFileSync(`${dir}/f`, 'x');
    assert.equal(
      run([{ kind: 'attributes', path: `${dir}/f`, mode: '0600', before: absent(`${dir}/f`) }])
        .status,
      0,
    );
    assert.equal((fs.statSync(`${dir}/f`).mode & 0o777).toString(8), '600');
    assert.equal(run([{ kind: 'remove', path: `${dir}/a`, before: absent(`${dir}/a`) }]).status, 0);
    assert.equal(fs.existsSync(`${dir}/a`), false);
  });

  it('a transfer feeds its data to the import command on stdin, between other payloads', () => {
    const data = Buffer.from('-- dump\nline two\n'.repeat(5000));
    const r = run([
      write(`${dir}/before`, 'b'),
      {
        kind: 'transfer',
        from: 'web-01',
        exportScript: 'unused',
        importScript: `cat > ${dir}/imported`,
        reason: 'seed',
        data,
      },
      write(`${dir}/after`, 'a'),
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.readFileSync(`${dir}/imported`).equals(data));
    assert.equal(fs.readFileSync(`${dir}/after`, 'utf8'), 'a');
    const failed = run([
      {
        kind: 'transfer',
        from: 'web-01',
        exportScript: 'x',
        importScript: 'echo broken >&2; exit 3',
        reason: 'seed',
        data,
      },
    ]);
    assert.notEqual(failed.status, 0);
    assert.match(failed.stderr, /broken\nseed failed/);
  });

  it('a shell command holding a secret never shows it in the process list while it runs', async () => {
    const canary = `canary-${process.pid}-${Date.now()}`;
    const { script } = changeScript(
      [{ kind: 'command', script: `X='${canary}'; sleep 2; echo "$X" > /dev/null`, reason: 't' }],
      { stateFile: state },
    );
    // The script arrives on stdin, as the SSH loader delivers it.
    const child = spawn('sh', ['-s'], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.end(script);
    let running = true;
    const exited = new Promise<number | null>((res) =>
      child.on('exit', (code) => {
        running = false;
        res(code);
      }),
    );
    // The process list, read for as long as the script runs (however slow
    // the machine is): a fixed time once gave too few reads under load.
    const seen: string[] = [];
    let polls = 0;
    for (; running; polls++) {
      const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
      seen.push(...ps.split('\n').filter((line) => line.includes(canary)));
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(await exited, 0);
    assert.ok(polls >= 3, `the process list was read ${polls} times while the script ran`);
    assert.deepEqual(seen, [], 'the secret was in the process list');
  });

  it('a temp file left by a run cut off mid-upload is removed by the next write of that file, and nothing else', () => {
    const dest = path.join(dir, 'app.cfg');
    fs.writeFileSync(path.join(dir, '.app.cfg.foobar-Ab12Cd'), 'half of the upl');
    fs.writeFileSync(path.join(dir, '.other.cfg.foobar-Ab12Cd'), 'another file');
    fs.writeFileSync(path.join(dir, 'app.cfg.foobar-keep'), 'not ours');
    const r = run([write(dest, 'whole\n')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(dest, 'utf8'), 'whole\n');
    assert.deepEqual(leftovers().sort(), ['.other.cfg.foobar-Ab12Cd', 'app.cfg.foobar-keep']);
  });

  it('several tasks in one script: each records its handlers before its own change, and a refusal stops at its task', () => {
    const one = path.join(dir, 'one.cfg');
    const two = path.join(dir, 'two.cfg');
    const three = path.join(dir, 'three.cfg');
    const refused = run(
      [
        write(one, 'one\n'),
        write(two, 'two\n', { validate: 'grep -q never %s' }),
        write(three, 'three\n'),
      ],
      {
        groups: [
          { start: 0, record: [{ play: 'p', handler: 'after one' }] },
          { start: 1, record: [{ play: 'p', handler: 'after two' }] },
          { start: 2, record: [] },
        ],
      },
    );
    assert.equal(refused.status, VALIDATION_FAILED);
    assert.equal(completedGroups(refused.stdout), 1);
    assert.equal(fs.readFileSync(one, 'utf8'), 'one\n');
    assert.ok(!fs.existsSync(two) && !fs.existsSync(three));
    assert.deepEqual(parsePending(fs.readFileSync(state, 'utf8')), [
      { play: 'p', handler: 'after one' },
    ]);
    assert.deepEqual(leftovers(), []);

    const whole = run([write(two, 'two\n'), write(three, 'three\n')], {
      groups: [
        { start: 0, record: [{ play: 'p', handler: 'after two' }] },
        { start: 1, record: [] },
      ],
    });
    assert.equal(whole.status, 0, whole.stderr);
    assert.equal(completedGroups(whole.stdout), 2);
    assert.equal(fs.readFileSync(three, 'utf8'), 'three\n');
  });

  it('a command failure reports the command and its exit status', () => {
    const r = run([{ kind: 'command', script: 'echo oops >&2; exit 7', reason: 'test' }]);
    assert.equal(r.status, 7);
    assert.match(r.stderr, /oops\ncommand failed: echo oops/);
  });
});
