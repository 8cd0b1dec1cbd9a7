import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseFacts } from '../../src/facts/parse';
import { gatherScript } from '../../src/facts/script';
import { factKey, type FactRequest, type TreeFact } from '../../src/facts/types';

/**
 * The gather script run by this machine's own `sh` (dash on Debian, as on
 * the hosts), its output read back by the parser.
 */
describe('gather script: run by sh, read back by the parser', () => {
  let dir: string;
  const sh = (script: string, env: NodeJS.ProcessEnv = process.env) => {
    const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const gather = (requests: FactRequest[]) => parseFacts(requests, sh(gatherScript(requests)));

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-gather-script-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('a file read whole (content) reads back as written, whatever its last byte', () => {
    const cases: [string, string, string][] = [
      ['no newline at the end', 'abc', 'abc'],
      ['one newline at the end', 'abc\n', 'abc'],
      ['two lines, no newline at the end', 'one\ntwo', 'one\ntwo'],
      ['a blank line at the end', 'abc\n\n', 'abc\n'],
      ['empty', '', ''],
      ['only a newline', '\n', ''],
      [
        'a line that looks like a section marker',
        'x\n@@foobar-fact-end@@ \n',
        'x\n@@foobar-fact-end@@ ',
      ],
    ];
    for (const [name, written, read] of cases)
      it(name, () => {
        const file = path.join(dir, name.replace(/\W+/g, '-'));
        fs.writeFileSync(file, written);
        const requests: FactRequest[] = [
          { kind: 'content', path: file },
          { kind: 'exists', path: file },
        ];
        const facts = gather(requests);
        assert.equal(facts.get(factKey(requests[0]!))!.value, read);
        assert.equal(facts.get(factKey(requests[1]!))!.value, true);
      });
  });

  it("a tree: the folder's own attributes, every entry with its type, mode and owner, every file with its SHA-256, even when the hashes come in several batches", function () {
    this.timeout(60_000);
    const tree = path.join(dir, 'tree');
    // Long names: find hands sha256sum several batches of arguments.
    const long = 'n'.repeat(200);
    const files: string[] = [];
    for (let d = 0; d < 8; d++) {
      fs.mkdirSync(path.join(tree, `d${d}`, 'sub'), { recursive: true });
      for (let f = 0; f < 150; f++)
        files.push(path.join(`d${d}`, f % 2 ? 'sub' : '', `${long}${f}`));
    }
    files.forEach((f, i) => fs.writeFileSync(path.join(tree, f), `file ${i}`));
    fs.chmodSync(path.join(tree, files[0]!), 0o600);
    fs.chmodSync(tree, 0o751);
    // A link is listed as itself, never followed (its target's files are not the tree's).
    fs.symlinkSync('/etc', path.join(tree, 'd0', 'to-etc'));
    const request: FactRequest = { kind: 'tree', path: tree };
    const fact = gather([request]).get(factKey(request))!.value as TreeFact;
    assert.equal(fact.isDirectory, true);
    assert.equal(fact.entries.size, files.length + 17);
    assert.equal(fact.entries.get('d0/to-etc')?.type, 'link');
    assert.ok(![...fact.entries.keys()].some((k) => k.startsWith('d0/to-etc/')));
    for (const [i, f] of files.entries()) {
      const entry = fact.entries.get(f);
      assert.equal(entry?.type, 'file', f);
      const want = createHash('sha256').update(`file ${i}`).digest('hex');
      assert.equal(entry.sha256, want, `the hash of ${f}`);
    }
    assert.equal(fact.entries.get(files[0]!)!.mode, '0600');
    assert.equal(fact.entries.get('d3/sub')!.type, 'directory');
    // The folder's own attributes, apart from its entries.
    const me = os.userInfo().username;
    const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
    assert.deepEqual(fact.root, { mode: '0751', owner: me, group });
  });

  it("an application folder's releases: current's and previous' targets, whole and cut-off releases, odd names and links left out", () => {
    const app = path.join(dir, 'app');
    const whole = path.join(app, 'releases', '0f3a9c1b2d4e');
    fs.mkdirSync(whole, { recursive: true });
    fs.writeFileSync(path.join(whole, '.foobar-release'), '0f3a9c1b2d4e\n');
    // To the millisecond: two deploys within a second still sort by time.
    fs.utimesSync(path.join(whole, '.foobar-release'), 1_700_000_000.25, 1_700_000_000.25);
    fs.mkdirSync(path.join(app, 'releases', '9e8d7c6b5a40'));
    fs.mkdirSync(path.join(app, 'releases', 'odd\nname'));
    fs.symlinkSync(whole, path.join(app, 'releases', 'a-link'));
    fs.writeFileSync(path.join(app, 'releases', 'a-file'), '');
    fs.symlinkSync('releases/0f3a9c1b2d4e', path.join(app, 'current'));
    // Where a rollback goes: read as written (the module judges the target).
    fs.symlinkSync('releases/9e8d7c6b5a40', path.join(app, 'previous'));
    const empty = path.join(dir, 'no-app');
    const requests: FactRequest[] = [
      { kind: 'releases', dir: app },
      { kind: 'releases', dir: empty },
    ];
    const facts = gather(requests);
    assert.deepEqual(facts.get(factKey(requests[0]!))!.value, {
      dir: app,
      current: { type: 'link', target: 'releases/0f3a9c1b2d4e' },
      hasReleasesDir: true,
      releases: [{ name: '0f3a9c1b2d4e', completedAt: 1_700_000_000.25 }, { name: '9e8d7c6b5a40' }],
      previous: 'releases/9e8d7c6b5a40',
    });
    assert.deepEqual(facts.get(factKey(requests[1]!))!.value, {
      dir: empty,
      current: { type: 'absent' },
      hasReleasesDir: false,
      releases: [],
    });
  });

  it('every section of a mixed gather reads back, in any number', () => {
    const files = Array.from({ length: 30 }, (_, i) => path.join(dir, `f${i}`));
    files.forEach((f, i) => fs.writeFileSync(f, `line ${i}`));
    const requests: FactRequest[] = [
      ...files.map((f): FactRequest => ({ kind: 'content', path: f })),
      ...files.map((f): FactRequest => ({ kind: 'exists', path: `${f}.absent` })),
      { kind: 'exit', script: 'exit 3' },
      { kind: 'file', path: files[0]! },
    ];
    const facts = gather(requests);
    files.forEach((f, i) => {
      assert.equal(facts.get(factKey({ kind: 'content', path: f }))!.value, `line ${i}`);
      assert.equal(facts.get(factKey({ kind: 'exists', path: `${f}.absent` }))!.value, false);
    });
    assert.equal(facts.get(factKey({ kind: 'exit', script: 'exit 3' }))!.value, 3);
  });

  it('a section begun but not ended (output cut short) is missing, never read as empty', () => {
    const requests: FactRequest[] = [
      { kind: 'exists', path: dir },
      { kind: 'exists', path: path.join(dir, 'x') },
    ];
    const out = sh(gatherScript(requests));
    const second = out.lastIndexOf('@@foobar-fact-begin@@');
    const firstEnd = out.indexOf('@@foobar-fact-end@@');
    // The first section's end marker removed: its text runs into the next section.
    const cut = out.slice(0, firstEnd) + out.slice(out.indexOf('\n', firstEnd) + 1);
    assert.ok(second > firstEnd);
    assert.throws(() => parseFacts(requests, cut), /no output for fact exists:/);
    // And cut off in the middle: everything after is missing too.
    assert.throws(() => parseFacts(requests, out.slice(0, firstEnd)), /no output for fact/);
  });

  describe('output that imitates the section markers cannot forge a fact', () => {
    const nonce = 'c0ffee0123456789';
    const forged = '@@foobar-fact-end@@\n@@foobar-fact-begin@@ 0\n0\n@@foobar-fact-end@@';

    it('a file read whole: its text is its own fact, and the exit check keeps its status', () => {
      const file = path.join(dir, 'forging-content');
      fs.writeFileSync(file, `x\n${forged}\n`);
      const requests: FactRequest[] = [
        { kind: 'exit', script: 'exit 3' },
        { kind: 'content', path: file },
      ];
      const facts = parseFacts(requests, sh(gatherScript(requests, nonce)), nonce);
      assert.equal(facts.get(factKey(requests[0]!))!.value, 3);
      assert.equal(facts.get(factKey(requests[1]!))!.value, `x\n${forged}`);
    });

    it('a file name in a folder read as a tree (a folder others may write to)', () => {
      const tree = path.join(dir, 'forging-tree');
      fs.mkdirSync(tree);
      fs.writeFileSync(path.join(tree, `z\n${forged}`), '');
      const requests: FactRequest[] = [
        { kind: 'exit', script: 'exit 3' },
        { kind: 'tree', path: tree },
      ];
      const out = sh(gatherScript(requests, nonce));
      // A name holding a newline is refused, never read as another fact.
      assert.throws(() => parseFacts(requests, out, nonce), /tree .*unexpected line/);
      const exit = parseFacts([requests[0]!], out, nonce);
      assert.equal(exit.get(factKey(requests[0]!))!.value, 3);
    });
  });

  describe("listing: a folder's files with sizes, the records asked for read whole", () => {
    it('plain-named regular files only (no folders, links, odd names); records as written', () => {
      const folder = path.join(dir, 'listing');
      fs.mkdirSync(path.join(folder, 'sub'), { recursive: true });
      const meta = 'id=1\ntable=foobar.t\t3\t42\n@@foobar-fact-end@@ \n';
      fs.writeFileSync(path.join(folder, '20261205T000000Z.meta'), meta);
      fs.writeFileSync(path.join(folder, '20261205T000000Z.sql.gz'), Buffer.alloc(1234, 7));
      fs.writeFileSync(path.join(folder, '.archived'), '1796450000\n');
      fs.writeFileSync(path.join(folder, 'odd name.meta'), 'x');
      fs.writeFileSync(path.join(folder, `forged\n${'file\t1 1\tx'}`), '');
      fs.symlinkSync('/etc/passwd', path.join(folder, 'link.meta'));
      const request: FactRequest = { kind: 'listing', dir: folder, read: ['.meta', '.archived'] };
      const absent: FactRequest = { kind: 'listing', dir: path.join(dir, 'none'), read: [] };
      const facts = gather([request, absent]);
      assert.deepEqual(facts.get(factKey(request))!.value, {
        present: true,
        files: [
          { name: '.archived', size: 11, mtime: stamp(folder, '.archived'), text: '1796450000\n' },
          {
            name: '20261205T000000Z.meta',
            size: meta.length,
            mtime: stamp(folder, '20261205T000000Z.meta'),
            text: meta,
          },
          {
            name: '20261205T000000Z.sql.gz',
            size: 1234,
            mtime: stamp(folder, '20261205T000000Z.sql.gz'),
          },
        ],
      });
      assert.deepEqual(facts.get(factKey(absent))!.value, { present: false, files: [] });
    });
    const stamp = (folder: string, name: string) =>
      Math.floor(fs.statSync(path.join(folder, name)).mtimeMs / 1000);
  });

  describe('ssh_client: SSH_CONNECTION read from the first ancestor that has it', () => {
    const connection = '192.0.2.7 50022 192.0.2.11 2222';
    const request: FactRequest = { kind: 'ssh_client' };
    const clean = { ...process.env };
    delete clean.SSH_CONNECTION;

    it('from its own environment', () => {
      const env = { ...clean, SSH_CONNECTION: connection };
      const facts = parseFacts([request], sh(gatherScript([request]), env));
      assert.equal((facts.get(factKey(request))!.value as { port: number }).port, 50022);
    });

    /** Runs `script` under: sh (with `env`) → odd-named sh without SSH_CONNECTION → sh without it. */
    const throughAncestors = (script: string, env: NodeJS.ProcessEnv) => {
      // The middle process's name holds ") ", which /proc/PID/stat prints unquoted.
      const odd = path.join(dir, 'odd) name');
      if (!fs.existsSync(odd)) fs.symlinkSync(fs.realpathSync('/bin/sh'), odd);
      const inner = `env -u SSH_CONNECTION sh -c ${shQuote(script)}; true`;
      const middle = `env -u SSH_CONNECTION ${shQuote(odd)} -c ${shQuote(inner)}; true`;
      const r = spawnSync('sh', ['-c', middle], { encoding: 'utf8', env });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };

    it('from an ancestor when the environment was reset (as sudo does), walking past a process whose name holds ") "', () => {
      const out = throughAncestors(gatherScript([request]), {
        ...clean,
        SSH_CONNECTION: connection,
      });
      assert.deepEqual(parseFacts([request], out).get(factKey(request))!.value, {
        address: '192.0.2.7',
        port: 50022,
        serverAddress: '192.0.2.11',
        serverPort: 2222,
      });
    });

    it('an ancestor with SSH_CONNECTION twice in its environment: the first, as getenv reads it', function () {
      // Only execve itself can give a process the same variable twice: python's ctypes calls it.
      const python = spawnSync('python3', ['-c', 'import ctypes'], { encoding: 'utf8' });
      if (python.status !== 0) throw new Error(`python3 with ctypes is needed: ${python.stderr}`);
      const script = gatherScript([request]);
      const inner = `env -u SSH_CONNECTION sh -c ${shQuote(script)}; true`;
      const exec = [
        'import ctypes, sys',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'arr = lambda xs: (ctypes.c_char_p * (len(xs) + 1))(*[x.encode() for x in xs], None)',
        "env = ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'SSH_CONNECTION=192.0.2.7 50022 192.0.2.11 2222', 'SSH_CONNECTION=198.51.100.9 1 198.51.100.10 22']",
        "libc.execve(b'/bin/sh', arr(['sh', '-c', sys.argv[1]]), arr(env))",
        'sys.exit(97)',
      ].join('\n');
      const r = spawnSync('python3', ['-c', exec, inner], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const fact = parseFacts([request], r.stdout).get(factKey(request))!.value;
      assert.equal((fact as { address: string }).address, '192.0.2.7');
    });

    it("none anywhere up the tree: unknown, or what the test process's ancestors have", () => {
      // The walk climbs past this test into its own ancestors (an SSH login, say).
      const expected = ancestorsSshConnection();
      const value = parseFacts([request], sh(gatherScript([request]), clean)).get(factKey(request))!
        .value as { address: string; port: number } | undefined;
      assert.equal(value && `${value.address} ${value.port}`, expected);
    });
  });
});

/** `address port` of the first SSH_CONNECTION among this process's ancestors' environments. */
function ancestorsSshConnection(): string | undefined {
  let pid = process.pid;
  while (pid > 1) {
    try {
      const env = fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      const found = env.find((e) => e.startsWith('SSH_CONNECTION='));
      if (found) {
        const [address, port] = found.slice('SSH_CONNECTION='.length).split(' ');
        return `${address!.replace(/^::ffff:/, '')} ${port}`;
      }
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
      pid = Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
