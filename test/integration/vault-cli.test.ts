import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, cliProcess, fixture, type CliResult } from '../support/cli';

const SITE = path.join(ROOT, 'playbooks', 'site.yml');
const FORBID_SSH = path.join(ROOT, 'dist', 'test', 'support', 'forbid-ssh.js');
const PASSWORD = 'vault-test-password-1';
const APP_SECRET = 'canary-vault-app-4d2f9a';
const REPL_SECRET = 'canary-vault-repl-8e1c07';

/** `vault` and `{ vault: NAME }` references through the real executable, in a temp folder. */
describe('the vault: its command, and vault references in an inventory', () => {
  let work: string;
  let env: NodeJS.ProcessEnv;

  /** Runs the CLI in the temp folder, with no terminal (stdin is a pipe) and no password unless given. */
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}): CliResult =>
    cliProcess(args, { cwd: work, env: { ...env, ...extra } });
  const at = (name: string) => path.join(work, name);
  const read = (name: string) => fs.readFileSync(at(name), 'utf8');
  const write = (name: string, text: string) => fs.writeFileSync(at(name), text);
  const pw = ['--vault-password-file', 'pw'];

  /**
   * An editor: a shell script that records the file it was given (path, its
   * mode, its folder's mode, its content), then runs `body` on it ($1).
   */
  const editor = (name: string, body: string): string => {
    const script = at(name);
    fs.writeFileSync(
      script,
      [
        '#!/bin/sh',
        // The last argument is the file (EDITOR may carry arguments of its own).
        'for f; do :; done',
        `printf '%s\\n' "$f" "$(stat -c %a "$f")" "$(stat -c %a "$(dirname "$f")")" > ${at(`${name}.record`)}`,
        `cp "$f" ${at(`${name}.seen`)}`,
        body,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    return script;
  };
  /** What the editor recorded: the path it got, the file's and the folder's modes. */
  const record = (name: string) => {
    const [file, fileMode, dirMode] = read(`${name}.record`).trim().split('\n');
    return { file: file!, fileMode, dirMode };
  };
  /** A vault made with `encrypt`, holding `text`. */
  const makeVault = (name: string, text: string, passwordFile = 'pw') => {
    write(name, text);
    const r = run(['vault', 'encrypt', name, '--vault-password-file', passwordFile]);
    assert.equal(r.code, 0, r.stderr);
  };

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-vault-'));
    env = { ...process.env, NO_COLOR: '1' };
    for (const v of ['FOOBAR_VAULT_PASSWORD_FILE', 'EDITOR', 'VISUAL']) delete env[v];
    write('pw', `${PASSWORD}\n`);
    write('other-pw', 'another-password\n');
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  describe('vault create and edit', () => {
    it('create: the editor writes the secrets into a private temp file that is gone afterwards', () => {
      const ed = editor('ed.sh', `printf 'app_db: ${APP_SECRET}\\nrepl: ${REPL_SECRET}\\n' > "$f"`);
      const r = run(['vault', 'create', 'secrets.vault', ...pw], { EDITOR: `${ed} --some-flag` });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^secrets\.vault: vault created \(2 secrets\)$/m);
      assert.match(
        read('ed.sh.seen'),
        /^# A foobar-infra vault/,
        'the editor got the starter text',
      );
      const vault = read('secrets.vault');
      assert.match(vault, /^\$FOOBAR_VAULT;1;AES-256-GCM;scrypt\n/);
      assert.ok(!vault.includes(APP_SECRET));
      assert.equal(fs.statSync(at('secrets.vault')).mode & 0o777, 0o600);
      const { file, fileMode, dirMode } = record('ed.sh');
      assert.equal(fileMode, '600');
      assert.equal(dirMode, '700');
      assert.equal(path.basename(file), 'secrets.yml');
      if (fs.existsSync('/dev/shm')) assert.match(file, /^\/dev\/shm\/foobar-vault-/);
      assert.ok(!fs.existsSync(path.dirname(file)), `${path.dirname(file)} is left behind`);
      const view = run(['vault', 'view', 'secrets.vault', ...pw]);
      assert.equal(view.code, 0, view.stderr);
      assert.equal(view.stdout, `app_db: ${APP_SECRET}\nrepl: ${REPL_SECRET}\n`);
      assert.deepEqual(
        fs.readdirSync(work).filter((f) => f.includes('.tmp-')),
        [],
        'no temp file beside the vault',
      );
    });

    it('create refuses an existing file, and a starter text left as it was', () => {
      write('secrets.vault', 'anything\n');
      const ed = editor('ed.sh', 'true');
      const exists = run(['vault', 'create', 'secrets.vault', ...pw], { EDITOR: ed });
      assert.equal(exists.code, 1);
      assert.match(exists.stderr, /secrets\.vault exists: change it with `foobar-infra vault edit/);
      assert.equal(read('secrets.vault'), 'anything\n');
      assert.ok(!fs.existsSync(at('ed.sh.record')), 'the editor never ran');
      const untouched = run(['vault', 'create', 'new.vault', ...pw], { EDITOR: ed });
      assert.equal(untouched.code, 1);
      assert.match(untouched.stderr, /the starter text was left as it was: no vault written/);
      assert.ok(!fs.existsSync(at('new.vault')));
      assert.ok(!fs.existsSync(path.dirname(record('ed.sh').file)));
    });

    it('edit changes a value: re-encrypted with a fresh salt and nonce', () => {
      makeVault('secrets.vault', `app_db: ${APP_SECRET}\nrepl: ${REPL_SECRET}\n`);
      const before = read('secrets.vault');
      const ed = editor('ed.sh', `sed -i 's/^repl: .*/repl: changed-value-77/' "$f"`);
      const r = run(['vault', 'edit', 'secrets.vault', ...pw], { EDITOR: ed });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /secrets\.vault: vault written \(2 secrets\)/);
      assert.equal(read('ed.sh.seen'), `app_db: ${APP_SECRET}\nrepl: ${REPL_SECRET}\n`);
      const after = read('secrets.vault');
      const line = (text: string, key: string) => text.split('\n').find((l) => l.startsWith(key));
      assert.notEqual(line(after, 'salt:'), line(before, 'salt:'));
      assert.notEqual(line(after, 'nonce:'), line(before, 'nonce:'));
      assert.equal(fs.statSync(at('secrets.vault')).mode & 0o777, 0o600);
      assert.equal(
        run(['vault', 'view', 'secrets.vault', ...pw]).stdout,
        `app_db: ${APP_SECRET}\nrepl: changed-value-77\n`,
      );
      assert.ok(!fs.existsSync(path.dirname(record('ed.sh').file)));
    });

    it('edit with unchanged content leaves the vault byte for byte', () => {
      makeVault('secrets.vault', `app_db: ${APP_SECRET}\n`);
      const before = fs.readFileSync(at('secrets.vault'));
      const r = run(['vault', 'edit', 'secrets.vault', ...pw], { EDITOR: editor('ed.sh', 'true') });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /secrets\.vault: unchanged/);
      assert.ok(fs.readFileSync(at('secrets.vault')).equals(before));
      assert.ok(!fs.existsSync(path.dirname(record('ed.sh').file)));
    });

    it('an editor that fails, or invalid content, leaves the vault as it was and the temp folder gone', () => {
      makeVault('secrets.vault', `app_db: ${APP_SECRET}\n`);
      const before = fs.readFileSync(at('secrets.vault'));
      const failing = editor('fail.sh', `echo 'app_db: half-done' > "$f"; exit 3`);
      const failed = run(['vault', 'edit', 'secrets.vault', ...pw], { EDITOR: failing });
      assert.equal(failed.code, 1, failed.stderr);
      assert.match(failed.stderr, /editor: .*fail\.sh exited with 3/);
      assert.ok(fs.readFileSync(at('secrets.vault')).equals(before));
      assert.ok(!fs.existsSync(path.dirname(record('fail.sh').file)));

      const invalid = editor('bad.sh', `printf 'app_db: ok-value\\nport: 3306\\n' > "$f"`);
      const refused = run(['vault', 'edit', 'secrets.vault', ...pw], { EDITOR: invalid });
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(
        refused.stderr,
        /^secrets\.vault \(edited\):2:7: port: a secret is a string, got a number/m,
      );
      assert.match(refused.stderr, /secrets\.vault is left as it was \(the edit is discarded\)/);
      assert.ok(!refused.stderr.includes('3306') && !refused.stderr.includes(APP_SECRET));
      assert.ok(fs.readFileSync(at('secrets.vault')).equals(before));
      assert.ok(!fs.existsSync(path.dirname(record('bad.sh').file)));

      const yaml = editor('yaml.sh', `printf 'app_db: [oops\\n' > "$f"`);
      const broken = run(['vault', 'edit', 'secrets.vault', ...pw], { EDITOR: yaml });
      assert.equal(broken.code, 1);
      assert.match(broken.stderr, /^secrets\.vault \(edited\):\d+:\d+: YAML syntax error/m);
      assert.ok(fs.readFileSync(at('secrets.vault')).equals(before));
    });
  });

  describe('passwords, wrong passwords and tampered files', () => {
    it('a wrong password: exit 6, nothing overwritten, the editor never started', () => {
      makeVault('secrets.vault', `app_db: ${APP_SECRET}\n`);
      const before = fs.readFileSync(at('secrets.vault'));
      const ed = editor('ed.sh', `echo 'x: y-value' > "$f"`);
      for (const args of [
        ['vault', 'view', 'secrets.vault'],
        ['vault', 'edit', 'secrets.vault'],
        ['vault', 'decrypt', 'secrets.vault'],
        ['vault', 'rekey', 'secrets.vault', '--new-vault-password-file', 'pw'],
      ]) {
        const r = run([...args, '--vault-password-file', 'other-pw'], { EDITOR: ed });
        assert.equal(r.code, 6, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr, 'error: secrets.vault: wrong vault password\n');
        assert.equal(r.stdout, '');
        assert.ok(fs.readFileSync(at('secrets.vault')).equals(before), args.join(' '));
      }
      assert.ok(!fs.existsSync(at('ed.sh.record')), 'the editor never ran');
    });

    it('a tampered vault: exit 6, told apart from a wrong password, nothing overwritten', () => {
      makeVault('secrets.vault', `app_db: ${APP_SECRET}\n`);
      const lines = read('secrets.vault').split('\n');
      // One character of the ciphertext changed, still valid base64.
      lines[8] = (lines[8]![0] === 'A' ? 'B' : 'A') + lines[8]!.slice(1);
      write('secrets.vault', lines.join('\n'));
      const tampered = fs.readFileSync(at('secrets.vault'));
      for (const action of ['view', 'edit', 'decrypt']) {
        const r = run(['vault', action, 'secrets.vault', ...pw], { EDITOR: 'false' });
        assert.equal(r.code, 6, r.stderr);
        assert.match(
          r.stderr,
          /^error: secrets\.vault:9: the content does not authenticate .* the vault was altered or is corrupt; the password is right$/m,
        );
        assert.ok(fs.readFileSync(at('secrets.vault')).equals(tampered));
      }
      lines[1] = 'scrypt-N: 131072';
      write('secrets.vault', lines.join('\n'));
      const header = run(['vault', 'view', 'secrets.vault', ...pw]);
      assert.equal(header.code, 6);
      assert.match(
        header.stderr,
        /secrets\.vault: the header \(lines 1-8\) does not match its header-sha256/,
      );
      write('secrets.vault', read('secrets.vault').replace('$FOOBAR_VAULT;1;', '$FOOBAR_VAULT;7;'));
      const version = run(['vault', 'view', 'secrets.vault', ...pw]);
      assert.equal(version.code, 6);
      assert.match(version.stderr, /^error: secrets\.vault:1: unknown vault format version "7"/);
    });

    it('FOOBAR_VAULT_PASSWORD_FILE gives the password; without any, a clear error (no terminal)', () => {
      makeVault('secrets.vault', `app_db: ${APP_SECRET}\n`);
      const viaEnv = run(['vault', 'view', 'secrets.vault'], {
        FOOBAR_VAULT_PASSWORD_FILE: at('pw'),
      });
      assert.equal(viaEnv.code, 0, viaEnv.stderr);
      assert.equal(viaEnv.stdout, `app_db: ${APP_SECRET}\n`);
      const none = run(['vault', 'view', 'secrets.vault']);
      assert.equal(none.code, 6);
      assert.match(
        none.stderr,
        /secrets\.vault: a vault password is needed: pass --vault-password-file FILE, set FOOBAR_VAULT_PASSWORD_FILE to a file that holds it, or run on a terminal to be asked/,
      );
      write('empty-pw', '\n');
      const empty = run(['vault', 'view', 'secrets.vault', '--vault-password-file', 'empty-pw']);
      assert.equal(empty.code, 6);
      assert.match(
        empty.stderr,
        /empty-pw: the vault password file given by --vault-password-file is empty: an empty password is refused/,
      );
      const missing = run(['vault', 'view', 'secrets.vault', '--vault-password-file', 'nope']);
      assert.equal(missing.code, 6);
      assert.match(missing.stderr, /nope: cannot read the vault password file .* \(not found\)/);
    });

    it("the password file's trailing newline is dropped, and only that", () => {
      write('pw-bare', PASSWORD);
      write('pw-spaces', `${PASSWORD} \n`);
      makeVault('secrets.vault', `app_db: ${APP_SECRET}\n`);
      assert.equal(
        run(['vault', 'view', 'secrets.vault', '--vault-password-file', 'pw-bare']).code,
        0,
      );
      assert.equal(
        run(['vault', 'view', 'secrets.vault', '--vault-password-file', 'pw-spaces']).code,
        6,
      );
    });
  });

  describe('vault encrypt, decrypt, rekey', () => {
    it('encrypt and decrypt in place, to a file and to stdout; each refuses the wrong kind of file', () => {
      const plain = `# the site's secrets\napp_db: ${APP_SECRET}\nrepl: ${REPL_SECRET}\n`;
      makeVault('secrets.yml', plain);
      assert.match(read('secrets.yml'), /^\$FOOBAR_VAULT;1;/);
      assert.equal(fs.statSync(at('secrets.yml')).mode & 0o777, 0o600);
      const vault = fs.readFileSync(at('secrets.yml'));
      const again = run(['vault', 'encrypt', 'secrets.yml', ...pw]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /secrets\.yml is already a vault: nothing to encrypt/);
      assert.ok(fs.readFileSync(at('secrets.yml')).equals(vault));

      const stdout = run(['vault', 'decrypt', 'secrets.yml', '--output', '-', ...pw]);
      assert.equal(stdout.code, 0, stdout.stderr);
      assert.equal(stdout.stdout, plain);
      const other = run(['vault', 'decrypt', 'secrets.yml', '--output', 'plain.yml', ...pw]);
      assert.equal(other.code, 0, other.stderr);
      assert.equal(read('plain.yml'), plain);
      assert.ok(fs.readFileSync(at('secrets.yml')).equals(vault));

      const inPlace = run(['vault', 'decrypt', 'secrets.yml', ...pw]);
      assert.equal(inPlace.code, 0, inPlace.stderr);
      assert.equal(read('secrets.yml'), plain);
      const twice = run(['vault', 'decrypt', 'secrets.yml', ...pw]);
      assert.equal(twice.code, 6);
      assert.match(twice.stderr, /secrets\.yml:1: not a vault: nothing to decrypt/);
      assert.equal(read('secrets.yml'), plain);
    });

    it('encrypt refuses content that is not a mapping of names to strings, with file and line', () => {
      write('bad.yml', `app_db: ${APP_SECRET}\nport: 3306\n`);
      const r = run(['vault', 'encrypt', 'bad.yml', ...pw]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^bad\.yml:2:7: port: a secret is a string, got a number \(quote it\)$/m,
      );
      assert.equal(read('bad.yml'), `app_db: ${APP_SECRET}\nport: 3306\n`);
    });

    it('rekey: the new password opens the vault, the old one is refused', () => {
      makeVault('secrets.vault', `app_db: ${APP_SECRET}\n`);
      const r = run([
        'vault',
        'rekey',
        'secrets.vault',
        ...pw,
        '--new-vault-password-file',
        'other-pw',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /secrets\.vault: rekeyed/);
      assert.equal(run(['vault', 'view', 'secrets.vault', ...pw]).code, 6);
      const view = run(['vault', 'view', 'secrets.vault', '--vault-password-file', 'other-pw']);
      assert.equal(view.code, 0, view.stderr);
      assert.equal(view.stdout, `app_db: ${APP_SECRET}\n`);
      const noNew = run(['vault', 'rekey', 'secrets.vault', '--vault-password-file', 'other-pw']);
      assert.equal(noNew.code, 6);
      assert.match(
        noNew.stderr,
        /a new vault password is needed: pass --new-vault-password-file FILE/,
      );
    });
  });

  describe('on a terminal', () => {
    /** Runs the CLI on a pseudo-terminal, typing each answer after each prompt; all it printed. */
    const onTerminal = (args: string[], answers: string[], extra: NodeJS.ProcessEnv = {}) => {
      // Types each answer once the CLI waits on a prompt (output ending in ": ").
      const driver = `
import os, pty, select, sys, time
answers = [a.encode() for a in sys.argv[1].split('\\n') if a]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out = b''
def read(until_prompt):
    global out
    end = time.time() + 30
    while time.time() < end:
        if until_prompt and out.endswith(b': '): return
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try: chunk = os.read(fd, 4096)
            except OSError: return
            if not chunk: return
            out += chunk
for a in answers:
    read(True)
    os.write(fd, a + b'\\r')
    out += b'<typed>'
read(False)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
`;
      const r = spawnSync(
        'python3',
        ['-c', driver, answers.join('\n'), process.execPath, BIN, ...args],
        { cwd: work, env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 },
      );
      return { code: r.status, out: r.stdout.replace(/\r\n/g, '\n') };
    };

    before(function () {
      if (spawnSync('python3', ['-c', 'import pty']).status !== 0) this.skip();
    });

    it('asks the password without echo, twice for a new vault', () => {
      const ed = editor('ed.sh', `printf 'app_db: ${APP_SECRET}\\n' > "$f"`);
      const created = onTerminal(['vault', 'create', 's.vault'], ['typed-pass-1', 'typed-pass-1'], {
        EDITOR: ed,
      });
      assert.equal(created.code, 0, created.out);
      assert.match(created.out, /New vault password for s\.vault: <typed>\nRepeat it: <typed>\n/);
      assert.ok(!created.out.includes('typed-pass-1'), 'the password is not echoed');
      write('typed-pw', 'typed-pass-1\n');
      const view = run(['vault', 'view', 's.vault', '--vault-password-file', 'typed-pw']);
      assert.equal(view.stdout, `app_db: ${APP_SECRET}\n`);

      const asked = onTerminal(['vault', 'view', 's.vault'], ['typed-pass-1']);
      assert.equal(asked.code, 0, asked.out);
      assert.match(asked.out, /Vault password for s\.vault: <typed>\napp_db: canary-vault-app/);
      assert.ok(!asked.out.includes('typed-pass-1'));

      const differ = onTerminal(['vault', 'create', 't.vault'], ['one-password', 'two-password'], {
        EDITOR: ed,
      });
      assert.equal(differ.code, 6, differ.out);
      assert.match(differ.out, /the two passwords differ: nothing written/);
      assert.ok(!fs.existsSync(at('t.vault')));
    });
  });

  describe('{ vault: NAME } references', () => {
    /** The minimal inventory, with the web hosts' database passwords in a vault. */
    const inventory = (vars: string, name = 'inv.yml') => {
      const text = fs
        .readFileSync(fixture('inventories', 'good', 'minimal.yml'), 'utf8')
        .replace('    web:\n', `    web:\n      vars:\n${vars}`);
      assert.ok(text.includes(vars));
      write(name, text);
      return name;
    };
    const VARS =
      '        vault_file: secrets.vault\n' +
      '        mysql_app_password: { vault: app_db }\n' +
      '        mysql_replication_password: { vault: repl }\n';
    /** The real executable with a hook that kills it (exit 99) the moment it loads SSH code. */
    const beforeSsh = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
      const r = spawnSync(process.execPath, ['--require', FORBID_SSH, BIN, ...args], {
        cwd: work,
        env: { ...env, ...extra },
        encoding: 'utf8',
      });
      return { code: r.status, out: r.stdout + r.stderr };
    };

    beforeEach(() => makeVault('secrets.vault', `app_db: ${APP_SECRET}\nrepl: ${REPL_SECRET}\n`));

    it('validate checks every name when a password is given; without one it warns and passes', () => {
      inventory(VARS);
      const ok = run(['validate', '-i', 'inv.yml', SITE, ...pw]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /^ok: inv\.yml \(3 hosts\)/);
      assert.equal(ok.stderr, '');
      const viaEnv = run(['validate', '-i', 'inv.yml', SITE], {
        FOOBAR_VAULT_PASSWORD_FILE: at('pw'),
      });
      assert.equal(viaEnv.code, 0, viaEnv.stderr);
      assert.equal(viaEnv.stderr, '');

      const none = run(['validate', '-i', 'inv.yml', SITE]);
      assert.equal(none.code, 0, none.stderr);
      assert.match(
        none.stderr,
        /^inv\.yml:\d+:\d+: warning: mysql_app_password: vault secrets\.vault not opened: no password given \(--vault-password-file or FOOBAR_VAULT_PASSWORD_FILE\) \(host web-01\); apply and diff will need it$/m,
      );
      assert.equal(none.stderr.match(/not opened/g)?.length, 1, 'one warning per vault');

      const wrong = run(['validate', '-i', 'inv.yml', SITE, '--vault-password-file', 'other-pw']);
      assert.equal(wrong.code, 6);
      assert.match(wrong.stderr, /secrets\.vault: wrong vault password/);
      for (const r of [ok, none, wrong]) assert.ok(!(r.stdout + r.stderr).includes(APP_SECRET));
    });

    it('a name missing from the vault is an error naming the variable and its line', () => {
      inventory(VARS.replace('{ vault: repl }', '{ vault: replication }'));
      const r = run(['validate', '-i', 'inv.yml', SITE, ...pw]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /^inv\.yml:16:37: mysql_replication_password: vault secrets\.vault has no secret named replication \(host web-01\)$/m,
      );
      const apply = beforeSsh(['apply', '-i', 'inv.yml', SITE, ...pw]);
      assert.equal(apply.code, 1, apply.out);
      assert.match(
        apply.out,
        /inv\.yml:16:37: mysql_replication_password: vault secrets\.vault has no secret named replication \(needed by host web-01\)/,
      );
    });

    it('a vault reference without vault_file is refused at load, with file, line and variable', () => {
      inventory('        mysql_app_password: { vault: app_db }\n');
      const r = run(['validate', '-i', 'inv.yml', SITE, ...pw]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^inv\.yml:14:29: all\.children\.web\.vars\.mysql_app_password: \{ vault: app_db \} needs a vault, and host web-01 has no vault_file/m,
      );
      assert.equal(r.stderr.match(/needs a vault/g)?.length, 1, 'once per definition');
    });

    it('apply and diff open the vault before connecting: a wrong or missing password stops them', () => {
      inventory(VARS);
      const wrong = beforeSsh([
        'apply',
        '-i',
        'inv.yml',
        SITE,
        '--vault-password-file',
        'other-pw',
      ]);
      assert.equal(wrong.code, 6, wrong.out);
      assert.match(wrong.out, /error: secrets\.vault: wrong vault password/);
      const none = beforeSsh(['apply', '-i', 'inv.yml', SITE]);
      assert.equal(none.code, 6, none.out);
      assert.match(none.out, /a vault password is needed/);
      const diff = beforeSsh(['diff', '-i', 'inv.yml', SITE]);
      assert.equal(diff.code, 1, diff.out);
      assert.match(diff.out, /a vault password is needed/);
      // With the password, every secret resolves and the run goes on to connect.
      const right = beforeSsh(['apply', '-i', 'inv.yml', SITE, ...pw]);
      assert.equal(right.code, 99, right.out);
      assert.match(right.out, /forbid-ssh: .* was loaded/);
      assert.ok(!right.out.includes(APP_SECRET));
    });

    it('a command asks for no password when no vault reference is in scope', () => {
      inventory(VARS);
      const lbOnly = beforeSsh(['apply', '-i', 'inv.yml', SITE, '--limit', 'lb-01']);
      assert.equal(lbOnly.code, 99, lbOnly.out);
      assert.doesNotMatch(lbOnly.out, /vault/);
    });

    it('render needs no password: vault secrets are written as ******** like every secret', () => {
      inventory(VARS);
      const r = run(['render', '-i', 'inv.yml', '--out', 'out', SITE]);
      assert.equal(r.code, 0, r.stderr);
      const appEnv = read('out/web-01/opt/foobar/app.env');
      assert.match(appEnv, /^DB_PASSWORD=\*{8}$/m);
      const all = spawnSync('grep', ['-r', '-l', APP_SECRET, at('out')], { encoding: 'utf8' });
      assert.equal(all.stdout, '', 'no rendered file holds the secret');
      assert.ok(!(r.stdout + r.stderr).includes(APP_SECRET));
    });

    it('inventory --list shows vault references, never their values', () => {
      inventory(VARS);
      const r = run(['inventory', '-i', 'inv.yml', '--playbook', SITE, '--host', 'web-01']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).mysql_app_password, '<secret vault:app_db>');
    });
  });
});
