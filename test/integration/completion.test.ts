import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { completionSpec } from '../../src/cli/commands/completion';
import { bashCompletion } from '../../src/cli/completion-script';
import { BIN, cliProcess, fixture, ROOT } from '../support/cli';
import { hasCommand, requireOrSkip } from '../support/requirements';

/**
 * `foobar-infra completion bash|zsh`: the scripts the real CLI prints, loaded
 * in the real shells, their completion function called as the shell calls it.
 */

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const TOP = [
  'validate',
  'inventory',
  'render',
  'graph',
  'apply',
  'diff',
  'status',
  'releases',
  'rollback',
  'promote',
  'backup',
  'vault',
  'lab',
  'completion',
  'help',
];
const LAB = ['up', 'down', 'status', 'reset', 'checkpoint', 'stop', 'start', 'ssh', 'help'];
const APPLY_LONG = [
  '--inventory',
  '--check',
  '--diff',
  '--tags',
  '--timings',
  '--limit',
  '--forks',
  '--accept-new',
  '--lock-timeout',
  '--verbose',
  '--vault-password-file',
  '--help',
];
// `ungrouped` is a group in every inventory, as in Ansible.
const MINIMAL_NAMES = ['all', 'ungrouped', 'lb', 'lb-01', 'web', 'web-01', 'web-02'];

describe('shell completion', function () {
  this.timeout(30_000);
  let dir: string;
  let bin: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-completion-'));
    // `foobar-infra` on PATH, as an installed CLI is: host names come from running it.
    bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'foobar-infra'),
      `#!/bin/sh\nexec ${q(process.execPath)} ${q(BIN)} "$@"\n`,
      { mode: 0o755 },
    );
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function script(shell: 'bash' | 'zsh'): string {
    const r = cliProcess(['completion', shell]);
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(dir, `completion.${shell}`);
    fs.writeFileSync(file, r.stdout);
    return file;
  }

  const env = () => ({ PATH: `${bin}:${process.env.PATH}`, HOME: dir });

  it('an unknown shell is a usage error naming the choices', () => {
    const r = cliProcess(['completion', 'fish']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bash, zsh/);
  });

  describe('bash', () => {
    let file: string;
    before(() => {
      file = script('bash');
    });

    /** COMPREPLY after the completion function ran on these words, the last under the cursor. */
    function complete(...words: string[]): string[] {
      const program = [
        `source ${q(file)}`,
        `COMP_WORDS=(${words.map(q).join(' ')})`,
        `COMP_CWORD=${words.length - 1}`,
        '_foobar_infra',
        `printf '%s\\n' "\${COMPREPLY[@]}"`,
      ].join('\n');
      const r = spawnSync('bash', ['--norc', '--noprofile', '-c', program], {
        cwd: ROOT,
        env: env(),
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      return r.stdout.split('\n').filter(Boolean);
    }

    it('registers the function for the command', () => {
      const r = spawnSync('bash', ['--norc', '-c', `source ${q(file)}; complete -p foobar-infra`], {
        encoding: 'utf8',
      });
      assert.equal(r.stdout.trim(), 'complete -F _foobar_infra foobar-infra');
    });

    it('top-level commands, and those matching a prefix', () => {
      assert.deepEqual(complete('foobar-infra', ''), TOP);
      assert.deepEqual(complete('foobar-infra', 'd'), ['diff']);
      assert.deepEqual(complete('foobar-infra', '-'), ['-V', '--version', '-h', '--help']);
    });

    it('lab <TAB>: its subcommands; their options after them', () => {
      assert.deepEqual(complete('foobar-infra', 'lab', ''), LAB);
      assert.deepEqual(complete('foobar-infra', 'lab', 'up', '--'), [
        '--flavor',
        '--hosts',
        '--subnet',
        '--name',
        '--help',
      ]);
      assert.deepEqual(complete('foobar-infra', 'lab', 'up', '--flavor', ''), ['mysql', 'mariadb']);
    });

    it("apply's options, short and long, with and without values", () => {
      assert.deepEqual(complete('foobar-infra', 'apply', '--'), APPLY_LONG);
      assert.deepEqual(complete('foobar-infra', 'apply', '-'), [
        '-i',
        '--inventory',
        '-C',
        '--check',
        '-D',
        '--diff',
        '-t',
        '--tags',
        '--timings',
        '-l',
        '--limit',
        '-f',
        '--forks',
        '--accept-new',
        '--lock-timeout',
        '-v',
        '--verbose',
        '--vault-password-file',
        '-h',
        '--help',
      ]);
      // An option's value is not taken for an argument: after `-f 3` come the options again.
      assert.deepEqual(complete('foobar-infra', 'apply', '-f', '3', '--ch'), ['--check']);
      assert.deepEqual(complete('foobar-infra', 'apply', '--check', '--ti'), ['--timings']);
    });

    it('--format completes to the values the option declares, also after --format=', () => {
      assert.deepEqual(complete('foobar-infra', 'diff', '--format', ''), ['text', 'json']);
      assert.deepEqual(complete('foobar-infra', 'status', '--format', 'j'), ['json']);
      // bash splits `--format=j` into three words.
      assert.deepEqual(complete('foobar-infra', 'diff', '--format', '=', 'j'), ['json']);
      assert.deepEqual(complete('foobar-infra', 'diff', '--format', '='), ['text', 'json']);
      assert.deepEqual(complete('foobar-infra', 'completion', ''), ['bash', 'zsh']);
    });

    it('files for -i and the playbook argument, folders for a <dir> option', () => {
      assert.deepEqual(complete('foobar-infra', 'apply', '-i', 'inventories/prod'), [
        'inventories/production.example.yml',
      ]);
      assert.deepEqual(complete('foobar-infra', 'apply', 'playbooks/s'), [
        'playbooks/site.yml',
        'playbooks/ssh-hardening.yml',
      ]);
      assert.deepEqual(complete('foobar-infra', 'validate', '-i', 'x.yml', 'playbooks/si'), [
        'playbooks/site.yml',
      ]);
      assert.deepEqual(complete('foobar-infra', 'render', '--out', 'playbook'), ['playbooks']);
      assert.deepEqual(complete('foobar-infra', 'apply', 'playbooks/site.yml', ''), []);
    });

    it('-l/--limit: host and group names of the inventory on the line, or of the default one', () => {
      const minimal = path.relative(ROOT, fixture('inventories', 'good', 'minimal.yml'));
      assert.deepEqual(complete('foobar-infra', 'apply', '-i', minimal, '-l', ''), MINIMAL_NAMES);
      assert.deepEqual(complete('foobar-infra', 'diff', '-i', minimal, '--limit', 'web-'), [
        'web-01',
        'web-02',
      ]);
      assert.deepEqual(
        complete('foobar-infra', 'apply', '--inventory', '=', minimal, '-l', 'lb,web-0'),
        ['lb,web-01', 'lb,web-02'],
      );
      assert.deepEqual(complete('foobar-infra', 'apply', '-i', minimal, '-l', '!l'), [
        '!lb',
        '!lb-01',
      ]);
      const three = fixture('inventories', 'good', 'three-web.yml');
      assert.ok(complete('foobar-infra', 'render', '-i', three, '-l', 'web-').includes('web-03'));
      // The default inventory, as the CLI uses it.
      assert.ok(complete('foobar-infra', 'apply', '-l', '').includes('lb'));
    });

    it('-l with an inventory that cannot be read: nothing, silently', () => {
      assert.deepEqual(complete('foobar-infra', 'apply', '-i', 'no-such.yml', '-l', ''), []);
      const broken = fixture('inventories', 'multi-error.yml');
      assert.deepEqual(complete('foobar-infra', 'apply', '-i', broken, '-l', ''), []);
    });

    it('is generated from the command tree: a new command or option shows without other change', () => {
      const program = new Command('foobar-infra');
      program
        .command('frob')
        .option('--bundle <file>', 'a file')
        .addOption(new Option('--mode <mode>').choices(['fast', 'slow']))
        .option('--dry', 'a flag');
      const file2 = path.join(dir, 'synthetic.bash');
      fs.writeFileSync(file2, bashCompletion(completionSpec(program)));
      const run = (...words: string[]) =>
        spawnSync(
          'bash',
          [
            '--norc',
            '-c',
            `source ${q(file2)}; COMP_WORDS=(${words.map(q).join(' ')}); COMP_CWORD=${words.length - 1}; _foobar_infra; printf '%s\\n' "\${COMPREPLY[@]}"`,
          ],
          { cwd: ROOT, encoding: 'utf8' },
        )
          .stdout.split('\n')
          .filter(Boolean);
      assert.deepEqual(run('foobar-infra', ''), ['frob', 'help']);
      assert.deepEqual(run('foobar-infra', 'frob', '--'), [
        '--bundle',
        '--mode',
        '--dry',
        '--help',
      ]);
      assert.deepEqual(run('foobar-infra', 'frob', '--mode', ''), ['fast', 'slow']);
      assert.deepEqual(run('foobar-infra', 'frob', '--bundle', 'playbooks/site'), [
        'playbooks/site.yml',
      ]);
    });
  });

  describe('zsh', () => {
    let file: string;
    before(function () {
      // CI installs zsh (.ci/run): there a missing zsh fails; elsewhere it skips.
      requireOrSkip(this, hasCommand('zsh'), 'zsh is not installed (apt-get install zsh)');
      file = script('zsh');
    });

    it('parses (zsh -n)', () => {
      const r = spawnSync('zsh', ['-n', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    });

    /**
     * What the completion function offers for these words (the last under the
     * cursor), with zsh's completion builtins replaced by functions that print
     * what they are given: `describe`, `compadd` and `files` lines.
     */
    function complete(...words: string[]): string[] {
      const program = [
        'compdef() { : }',
        'compadd() { [[ $1 == -- ]] && shift; print -r -- "compadd $*" }',
        '_files() { print -r -- "files $*" }',
        'compset() { : }',
        '_describe() { local name=${@[-1]} entry; for entry in ${(P)name}; do print -r -- "describe $entry"; done }',
        `source ${q(file)}`,
        `words=(${words.map(q).join(' ')})`,
        `CURRENT=${words.length}`,
        // Its status says whether anything was offered (1: nothing), as zsh expects.
        '_foobar_infra || true',
      ].join('\n');
      const r = spawnSync('zsh', ['-f', '-c', program], {
        cwd: ROOT,
        env: env(),
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      return r.stdout.split('\n').filter(Boolean);
    }

    /** The names in `describe NAME:description` lines, one per entry. */
    const described = (lines: string[]) =>
      lines.map((line) => {
        assert.match(line, /^describe [^:]+:/);
        return line.slice('describe '.length).split(':')[0];
      });

    it('registers the function for the command when sourced', () => {
      const r = spawnSync(
        'zsh',
        ['-f', '-c', `compdef() { print -r -- "compdef $*" }; source ${q(file)}`],
        { encoding: 'utf8' },
      );
      assert.equal(r.stdout.trim(), 'compdef _foobar_infra foobar-infra');
    });

    it('top-level commands and lab subcommands, with their descriptions', () => {
      assert.deepEqual(described(complete('foobar-infra', '')), TOP);
      const lab = complete('foobar-infra', 'lab', '');
      assert.deepEqual(described(lab), LAB);
      assert.equal(lab[0], 'describe up:build the image if needed and boot the lab hosts');
    });

    it("apply's options", () => {
      const names = described(complete('foobar-infra', 'apply', '--'));
      for (const o of [...APPLY_LONG, '-i', '-l', '-C']) assert.ok(names.includes(o), o);
    });

    it('--format values, -l host names, files for -i and the playbook, folders for --out', () => {
      assert.deepEqual(complete('foobar-infra', 'diff', '--format', ''), ['compadd text json']);
      assert.deepEqual(complete('foobar-infra', 'diff', '--format='), ['compadd text json']);
      const minimal = fixture('inventories', 'good', 'minimal.yml');
      assert.deepEqual(complete('foobar-infra', 'apply', '-i', minimal, '-l', ''), [
        `compadd ${MINIMAL_NAMES.join(' ')}`,
      ]);
      assert.deepEqual(
        complete('foobar-infra', 'apply', `--inventory=${minimal}`, '--limit', 'w'),
        [`compadd ${MINIMAL_NAMES.join(' ')}`],
      );
      assert.deepEqual(complete('foobar-infra', 'apply', '-i', 'no-such.yml', '-l', ''), [
        'compadd ',
      ]);
      assert.deepEqual(complete('foobar-infra', 'apply', '-i', ''), ['files ']);
      assert.deepEqual(complete('foobar-infra', 'apply', ''), ['files ']);
      assert.deepEqual(complete('foobar-infra', 'render', '--out', ''), ['files -/']);
      assert.deepEqual(complete('foobar-infra', 'apply', 'site.yml', ''), []);
    });
  });
});
