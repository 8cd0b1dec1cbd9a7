import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { BecomeStderr } from '../../src/transport/become-stderr';
import {
  buildRemoteCommand,
  frameScript,
  killGroupScript,
  loaderScript,
} from '../../src/transport/remote-command';
import { quote, quoteArgv } from '../../src/core/shell';

/** Deterministic tokens, so the expected text can be written out. */
function counter(): () => string {
  let n = 0;
  return () => `t${++n}`;
}

/** The POSIX shells on this machine the loader is checked with. */
const SHELLS = ['/bin/sh', '/bin/dash', '/bin/bash'].filter((s) => fs.existsSync(s));

describe('transport: shell quoting', () => {
  const words = [
    '',
    'plain',
    'two words',
    "it's",
    "''",
    '$HOME `id` $(id) "q" \\ !x *?[a]',
    'new\nline\ttab',
    '-n',
    'ünïcödé',
  ];
  for (const word of words) {
    it(`sh reads back ${JSON.stringify(word)}`, () => {
      const r = spawnSync('/bin/sh', ['-c', `printf %s ${quote(word)}`], { encoding: 'utf8' });
      assert.equal(r.stdout, word);
    });
  }
  it('leaves safe words bare and quotes the rest', () => {
    assert.equal(quote('/usr/bin/env'), '/usr/bin/env');
    assert.equal(quote(''), "''");
    assert.equal(quote("a'b"), "'a'\\''b'");
    assert.equal(quoteArgv(['echo', 'a b']), "echo 'a b'");
  });
});

describe('transport: remote command and sudo wrapper', () => {
  it('runs the loader plainly without become', () => {
    const c = buildRemoteCommand({ become: false, password: false, token: counter() });
    assert.equal(c.sentinel, 'foobar_end_t1');
    assert.equal(c.command, `sh -c ${quote(loaderScript('foobar_end_t1'))}`);
    assert.equal(c.readyMarker, undefined);
    assert.equal(c.promptMarker, undefined);
  });

  it('uses sudo -n without a password', () => {
    const c = buildRemoteCommand({ become: true, password: false, token: counter() });
    assert.equal(c.readyMarker, 'foobar_ready_t2');
    assert.equal(
      c.command,
      `sudo -H -n -- sh -c ${quote(loaderScript('foobar_end_t1', 'foobar_ready_t2'))}`,
    );
  });

  it('uses sudo -S with a random prompt marker when a password is given', () => {
    const c = buildRemoteCommand({ become: true, password: true, token: counter() });
    assert.equal(c.promptMarker, 'foobar_sudo_prompt_t3:');
    assert.ok(c.command.startsWith("sudo -H -S -p foobar_sudo_prompt_t3: -- sh -c '"));
  });

  it('makes fresh markers for each command', () => {
    const a = buildRemoteCommand({ become: true, password: true, token: counter() });
    const random = () => Math.random().toString(36).slice(2);
    const b = buildRemoteCommand({ become: true, password: true, token: random });
    const c = buildRemoteCommand({ become: true, password: true, token: random });
    assert.notEqual(b.promptMarker, c.promptMarker);
    assert.notEqual(b.readyMarker, c.readyMarker);
    assert.notEqual(a.sentinel, b.sentinel);
  });

  it('keeps the loader free of what a login shell could mangle', () => {
    const loader = loaderScript('foobar_end_x', 'foobar_ready_y');
    assert.doesNotMatch(loader, /['!\n]/);
  });

  it('refuses a script with a NUL byte', () => {
    assert.throws(() => frameScript('a\0b', 'end'), /NUL/);
  });

  for (const shell of SHELLS) {
    describe(`the loader under ${shell}`, () => {
      const run = (script: string, payload = '', ready?: string) => {
        const input = Buffer.concat([frameScript(script, 'foobar_end_k'), Buffer.from(payload)]);
        return spawnSync(shell, ['-c', loaderScript('foobar_end_k', ready)], { input });
      };

      it('runs the script and gives it the payload as stdin', () => {
        const r = run('read first; echo "got $first"; wc -c | tr -d " "', 'line one\nrest');
        assert.equal(r.stdout.toString(), 'got line one\n4\n');
        assert.equal(r.status, 0);
      });

      it('gives end of file to a script without payload, not its own text', () => {
        const r = run('cat; echo after');
        assert.equal(r.stdout.toString(), 'after\n');
      });

      it('keeps exit codes, quotes, backslashes, blanks and here-documents', () => {
        const script = [
          'printf \'%s|\' "a  b" \'c\\d\' "e\\\\f"',
          '  echo "  indented"',
          'cat <<EOF',
          '$((1 + 2))',
          'EOF',
          'exit 7',
        ].join('\n');
        const r = run(script);
        assert.equal(r.stdout.toString(), 'a  b|c\\d|e\\f|  indented\n3\n');
        assert.equal(r.status, 7);
      });

      it('leaves no loader variable to the script', () => {
        const r = run("set | grep -c '^__fb_' || true");
        assert.equal(r.stdout.toString().trim(), '0');
      });

      it('reads a long script in linear time', () => {
        const lines = Array.from({ length: 20000 }, (_, i) => `x=${i}`);
        const started = Date.now();
        const r = run(`${lines.join('\n')}\necho "$x"`);
        assert.equal(r.stdout.toString(), '19999\n');
        assert.ok(Date.now() - started < 10_000);
      });

      it('with become, prints the ready marker and its pid to stderr first', () => {
        const r = run('echo out; echo err >&2', '', 'foobar_ready_r');
        assert.match(r.stderr.toString(), /^foobar_ready_r \d+\nerr\n$/);
      });

      it('fails with 125 when the script is cut short', () => {
        const r = spawnSync(shell, ['-c', loaderScript('foobar_end_k')], {
          input: 'echo no end\n',
        });
        assert.equal(r.status, 125);
        assert.equal(r.stdout.toString(), '');
      });
    });
  }

  it('builds a group kill only for a real pid', () => {
    assert.match(killGroupScript(4242), /\/proc\/4242\/stat/);
    assert.throws(() => killGroupScript(1), RangeError);
    assert.throws(() => killGroupScript(Number.NaN), RangeError);
  });
});

describe('transport: sudo stderr watcher', () => {
  const stream = Buffer.from('foobar_sudo_prompt_p:' + 'foobar_ready_r 321\n' + 'command error\n');

  it('finds the prompt, the ready line and the output wherever chunks split', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const w = new BecomeStderr('foobar_ready_r', 'foobar_sudo_prompt_p:');
      const first = w.push(stream.subarray(0, cut));
      const second = w.push(stream.subarray(cut));
      assert.equal(first.prompts + second.prompts, 1, `cut at ${cut}`);
      assert.equal(w.ready, true);
      assert.equal(w.pid, 321);
      assert.equal(Buffer.concat([first.output, second.output]).toString(), 'command error\n');
      assert.equal(w.sudoText(), '');
    }
  });

  it('counts a second prompt (a wrong password) and keeps what sudo said', () => {
    const w = new BecomeStderr('foobar_ready_r', 'foobar_sudo_prompt_p:');
    assert.equal(w.push(Buffer.from('foobar_sudo_prompt_p:')).prompts, 1);
    const again = w.push(Buffer.from('Sorry, try again.\nfoobar_sudo_prompt_p:'));
    assert.equal(again.prompts, 1);
    assert.equal(w.ready, false);
    assert.equal(w.sudoText(), 'Sorry, try again.\n');
  });

  it('passes everything after the ready line through untouched', () => {
    const w = new BecomeStderr('foobar_ready_r');
    w.push(Buffer.from('sudo: a warning\nfoobar_ready_r 99\n'));
    const later = w.push(Buffer.from('foobar_ready_r 1\n'));
    assert.equal(later.output.toString(), 'foobar_ready_r 1\n');
    assert.equal(w.sudoText(), 'sudo: a warning\n');
  });
});
