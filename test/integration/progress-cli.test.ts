import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MASK } from '../../src/core/redact';
import { BIN, ROOT } from '../support/cli';
import { ensureSshd, localInventory, startLocalSshd, type LocalSshd } from '../support/local-sshd';
import { hasCommand, requireOrSkip } from '../support/requirements';

/**
 * The real CLI's `apply` against this machine through a local sshd (see
 * test/support/local-sshd.ts; needs root), its output read as a person's
 * terminal gets it: under a pseudo-terminal (util-linux `script`), piped, with
 * NO_COLOR and with TERM=dumb.
 */

/* eslint-disable no-control-regex */
const SGR = /\x1b\[[0-9;]*m/;
const SGR_ALL = /\x1b\[[0-9;]*m/g;
/** One control sequence: ESC [ (private ?) parameters, final letter. */
const CSI = /^\x1b\[(\??)([0-9;]*)([A-Za-z])/;
/** A line of the live block: written after a clear-line, up to its newline. */
const DRAWN_LINE = /\x1b\[2K([^\r\n]*)\r?\n/g;
/* eslint-enable no-control-regex */
const CURSOR_UP = '\x1b[1A';
const CLEAR_LINE = '\x1b[2K';
const SECRET = `canary-${process.pid}-live-progress-token`;

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The screen a terminal shows after these bytes: printable text, CR, LF,
 * cursor up (CSI n A), clear line (CSI 2K), clear below (CSI J); other
 * sequences (colours, cursor visibility) change nothing that is read here.
 * Lines never wrap (the block is narrower than the terminal; the rest scrolls).
 */
function screen(bytes: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  for (let i = 0; i < bytes.length; i++) {
    const ch = bytes[i]!;
    if (ch === '\x1b') {
      const m = CSI.exec(bytes.slice(i));
      assert.ok(
        m,
        `an escape sequence the test does not know at ${i}: ${JSON.stringify(bytes.slice(i, i + 8))}`,
      );
      i += m[0].length - 1;
      const n = Number(m[2] || '1');
      if (m[1] === '?' || m[3] === 'm') continue;
      if (m[3] === 'A') row = Math.max(0, row - n);
      else if (m[3] === 'K' && m[2] === '2') lines[row] = '';
      else if (m[3] === 'J') lines.length = row + 1;
      else assert.fail(`unexpected sequence ${JSON.stringify(m[0])}`);
      if (m[3] === 'J') lines[row] = lines[row]!.slice(0, col);
      continue;
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row++;
      col = 0;
      if (lines.length <= row) lines.push('');
    } else {
      const line = lines[row]!.padEnd(col);
      lines[row] = line.slice(0, col) + ch + line.slice(col + 1);
      col++;
    }
  }
  return lines;
}

/** Every line of the live block drawn, in order (each is written after a clear-line). */
function blockLines(bytes: string): string[] {
  return [...bytes.matchAll(DRAWN_LINE)].map((m) => m[1]!.replace(SGR_ALL, ''));
}

describe('apply: live progress on a terminal, plain lines elsewhere (local sshd)', function () {
  this.timeout(60_000);
  let sshd: LocalSshd;
  let started = false;
  let dir: string;
  let inventory: string;
  let slow: string;
  let secret: string;

  before(async function () {
    this.timeout(600_000); // may install openssh-server
    const env = ensureSshd();
    requireOrSkip(this, env.ok, env.why);
    requireOrSkip(this, hasCommand('script'), 'script (util-linux bsdutils) is not installed');
    sshd = await startLocalSshd();
    started = true;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-progress-'));
    const token = path.join(dir, 'token.txt');
    fs.writeFileSync(token, `${SECRET}\n`, { mode: 0o644 });
    inventory = path.join(dir, 'inventory.yml');
    fs.writeFileSync(inventory, localInventory(sshd, ['demo_token: { env: FOOBAR_DEMO_TOKEN }']));
    slow = path.join(dir, 'slow.yml');
    fs.writeFileSync(
      slow,
      [
        '- name: Slow',
        '  hosts: targets',
        '  vars:',
        "    demo_token: ''",
        '  tasks:',
        '    - name: first slow step',
        '      command: { cmd: sleep 1 }',
        '    - name: second slow step, with a name longer than this narrow terminal is wide',
        '      command: { cmd: sleep 1 }',
        '',
      ].join('\n'),
    );
    secret = path.join(dir, 'secret.yml');
    fs.writeFileSync(
      secret,
      [
        '- name: Secret',
        '  hosts: targets',
        '  vars:',
        "    demo_token: ''",
        '  tasks:',
        '    - name: print the token',
        `      command: { cmd: "cat ${token}; cat ${token} >&2" }`,
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    if (started) await sshd.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The environment of a person's shell: this sshd's known host, no agent, a UTF-8 terminal. */
  function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: sshd.dir,
      LANG: 'C.UTF-8',
      TERM: 'xterm-256color',
      FOOBAR_DEMO_TOKEN: SECRET,
      ...extra,
    };
  }

  /** The CLI under a 60×20 pseudo-terminal: the raw bytes it shows. */
  function underPty(
    args: string[],
    extra: NodeJS.ProcessEnv = {},
  ): { code: number | null; bytes: string } {
    const command = `stty cols 60 rows 20; exec ${[process.execPath, BIN, ...args].map(q).join(' ')}`;
    const r = spawnSync('script', ['-qfec', command, '/dev/null'], {
      cwd: ROOT,
      env: env(extra),
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: r.status, bytes: r.stdout };
  }

  function piped(args: string[], extra: NodeJS.ProcessEnv = {}) {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: env(extra),
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  const apply = () => ['apply', '-i', inventory, slow];
  const plainLines = [
    '',
    'PLAY [Slow] local-1',
    'changed: [local-1] first slow step: run sleep 1 (no guard: runs every time)',
    'changed: [local-1] second slow step, with a name longer than this narrow terminal is wide: run sleep 1 (no guard: runs every time)',
    '',
    'PLAY RECAP',
    'local-1 : ok=0 changed=2 unreachable=0 failed=0 skipped=0',
    '',
  ];

  it('on a terminal: a line per host, redrawn in place with its current task, never as wide as the terminal, gone before the recap', () => {
    const { code, bytes } = underPty(apply());
    assert.equal(code, 0, bytes);
    assert.ok(
      bytes.includes(CURSOR_UP) && bytes.includes(CLEAR_LINE),
      'drawn and redrawn in place',
    );
    assert.ok(
      bytes.includes('\x1b[?25l') && bytes.includes('\x1b[?25h'),
      'cursor hidden, then shown',
    );
    assert.match(bytes, SGR, 'in colour');

    const drawn = blockLines(bytes);
    const first = drawn.findIndex((l) => /^ {2}local-1 +\d+s {2}first slow step$/.test(l));
    const second = drawn.findIndex((l) => /^ {2}local-1 +\d+s {2}second slow step/.test(l));
    assert.ok(first >= 0, `the host line shows the first task:\n${drawn.join('\n')}`);
    assert.ok(second > first, `then the second:\n${drawn.join('\n')}`);
    for (const line of drawn) assert.ok([...line].length <= 59, `wider than 59 columns: ${line}`);
    assert.ok(
      drawn.some((l) => l.endsWith('…') && l.includes('second slow step, with')),
      'the long task name is cut with an ellipsis',
    );

    // What stays on the screen: exactly the plain lines, the block gone.
    const lastShow = bytes.lastIndexOf('\x1b[?25h');
    assert.ok(bytes.indexOf('PLAY RECAP') > lastShow, 'the block is removed before the recap');
    assert.deepEqual(
      screen(bytes).map((l) => l.trimEnd()),
      plainLines,
    );
  });

  it('NO_COLOR: no colour at all, and the live block still updates', () => {
    const { code, bytes } = underPty(apply(), { NO_COLOR: '1' });
    assert.equal(code, 0, bytes);
    assert.doesNotMatch(bytes, SGR);
    assert.ok(bytes.includes(CURSOR_UP) && bytes.includes(CLEAR_LINE));
    assert.ok(blockLines(bytes).some((l) => l.includes('second slow step')));
    assert.deepEqual(
      screen(bytes).map((l) => l.trimEnd()),
      plainLines,
    );
  });

  it('TERM=dumb on a terminal: plain lines, no escape codes', () => {
    const { code, bytes } = underPty(apply(), { TERM: 'dumb' });
    assert.equal(code, 0, bytes);
    assert.ok(!bytes.includes('\x1b'), JSON.stringify(bytes));
    assert.deepEqual(bytes.split('\r\n'), plainLines);
  });

  it('piped (not a terminal): exactly the plain lines, no escape codes', () => {
    const r = piped(apply());
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('\x1b') && !r.stderr.includes('\x1b'));
    assert.equal(r.stdout, plainLines.join('\n'));
    assert.equal(r.stderr, '');
  });

  it('-vvv shows each command, its script, its stdout and stderr, a secret in them masked', () => {
    const plain = piped(['apply', '-vvv', '-i', inventory, secret]);
    const tty = underPty(['apply', '-vvv', '-i', inventory, secret]);
    for (const [output, lines] of [
      [plain.stdout + plain.stderr, plain.stdout.split('\n')],
      [tty.bytes, screen(tty.bytes)],
    ] as const) {
      assert.ok(!output.includes(SECRET), 'the secret never shows');
      assert.ok(!output.includes('live-progress-token'), 'not even in part');
      assert.ok(lines.some((l) => /^ {2}\[local-1\] change \(1 step\): exit 0 in \d+ ms$/.test(l)));
      const token = path.join(dir, 'token.txt');
      assert.ok(
        lines.some(
          (l) => l.startsWith('    | ') && l.includes(`eval 'cat ${token}; cat ${token} >&2'`),
        ),
        `the script:\n${lines.join('\n')}`,
      );
      assert.ok(lines.includes(`    > ${MASK}`), 'stdout, masked');
      assert.ok(lines.includes(`    ! ${MASK}`), 'stderr, masked');
    }
  });
});
