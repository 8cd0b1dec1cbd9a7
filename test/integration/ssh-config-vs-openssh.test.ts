import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseJumpSpec, type JumpSpec } from '../../src/transport/route';
import { expandPath, resolveSshConfig, type SshConfig } from '../../src/transport/ssh-config';
import { sshTransport } from '../../src/transport/ssh-transport';

/**
 * The differential test of the ssh config reader: for every config of a
 * corpus (a table of real-world shapes, then seeded random combinations of
 * blocks), and several host names each, what src/transport/ssh-config.ts
 * resolves equals what OpenSSH's `ssh -G -F <file> <host>` prints: hostname,
 * user, port, the IdentityFile list and ProxyJump. A missing `ssh` fails.
 *
 * How ssh runs here, without a network and without the machine's config:
 * - `-F file` reads that file only, never /etc/ssh/ssh_config (ssh(1) -F;
 *   ssh.c process_config_files); no `-o` is passed.
 * - HOME is the case's temp folder: OpenSSH resolves a relative Include path
 *   under ~/.ssh even with -F, and glob(3)'s `~` is $HOME, so relative and
 *   `~/` includes land in the temp folder, as the transport's reader does
 *   with its `home`. Absolute includes are written with `@D` (that folder).
 * - `-G` prints and exits. No config may make it run a command or resolve a
 *   name: Match other than `all`, Canonicalize*, ProxyCommand and the other
 *   command keywords are refused before ssh runs (FORBIDDEN).
 * - Every run is `ssh -v`, whose log names each file read: the config, then
 *   only files in the case's folder, or the comparison fails (sshG).
 *
 * The reader's "unset" is what the transport then uses (route.ts), mapped to
 * what ssh -G prints for it (fromReader): port 22, the local user, the host
 * as given, no jump (`none` too), and ssh's default keys for no IdentityFile.
 * IdentityFile values compare unexpanded, as ssh -G prints them; expandPath
 * is compared with ssh's expansion of UserKnownHostsFile (same tokens).
 *
 * Excluded, documented limitations of the reader (no case uses them):
 * - keywords other than Host, Match all, Include, HostName, User, Port,
 *   IdentityFile, ProxyJump; Match criteria other than `all` never match;
 * - `Port ssh` (OpenSSH takes /etc/services names, the reader numbers only);
 * - lines OpenSSH refuses (extra arguments, bad ports: ssh -G fails, the
 *   reader carries on), which is why every ssh run must succeed;
 * - Include globs beyond `*` and `?` in the last path component;
 * - `%` tokens in User (newer OpenSSH expands them) and tokens other than
 *   %d %u %r %h %n %p %% (%C %i %k %L %l %j); `~` alone (ssh: `home/`);
 * - OpenSSH reads ProxyJump raw, from the rest of the line: `ProxyJump none
 *   # note` is a jump through a host named `none` there (readconf.c
 *   parse_jump), quotes stay, a `#` anywhere ends it. So no quotes or `#` in
 *   ProxyJump values, and no comment after `ProxyJump none`.
 */

interface Case {
  name: string;
  /** The config; `@D` is the case's folder (also HOME). */
  text: string;
  /** Other files, relative to the case's folder. */
  files?: Record<string, string>;
  hosts: string[];
  /** Lines the reader reports though OpenSSH takes them silently. */
  warns?: number;
}

interface Resolved {
  hostname: string;
  user: string;
  port: number;
  identityfile: string[];
  proxyjump: JumpSpec[] | null;
}

const LOCAL = os.userInfo();
const show = (v: unknown): string => JSON.stringify(v);
const SEED = 0x55c0;
const GENERATED = 60;
const FORBIDDEN =
  /^\s*(match(?![\s=]+all\s*(#|$))|canonical\w*|proxycommand|knownhostscommand|localcommand|permitlocalcommand|remotecommand|proxyusefdpass)\b/im;

const CORPUS = path.resolve(__dirname, '../../../test/fixtures/transport/ssh_config.corpus.txt');

/** The table of shapes: see the corpus file's header for its format. */
function table(): Case[] {
  return fs
    .readFileSync(CORPUS, 'utf8')
    .split(/^=== /m)
    .slice(1)
    .map((chunk) => {
      const [main, ...others] = chunk.split(/^--- /m);
      const [head, ...body] = main.split('\n');
      const [name, hosts, flags = ''] = head.split(' | ');
      const eol = flags.includes('crlf') ? '\r\n' : '\n';
      const files = others.map((other) => {
        const [file, ...lines] = other.split('\n');
        return [file, lines.join(eol)];
      });
      const warns = Number(/warns (\d+)/.exec(flags)?.[1] ?? 0);
      const text = body.join(eol);
      return { name, hosts: hosts.split(' '), text, files: Object.fromEntries(files), warns };
    });
}

/** Pieces of the generated configs: Host patterns, keyword values, host names. */
const PATTERNS = ['web-??', 'web-*', 'db-?', '*.example', 'api.*', 'bastion', '10.0.0.*', '"db-*"'];
const NEGATED = ['!web-99', '!bastion', '!api.stage', '!WEB-02'];
const VALUES: [string, string[]][] = [
  ['HostName', ['%h.lab.example', '192.0.2.7', 'real-%h', 'Mixed.Example']],
  ['User', ['deploy', 'admin', 'ops']],
  ['Port', ['2201', '2222', '443']],
  ['IdentityFile', ['~/.ssh/id_%h', '~/.ssh/%r@%h:%p', '/keys/shared', '"/keys/with space"']],
  ['ProxyJump', ['bastion', 'ops@jump.example:2222', 'j1,j2:2201', 'none', 'ssh://j@bastion']],
];
const HOSTS = 'web-01 web-99 WEB-02 db-1 db-10 bastion api.example api.stage 10.0.0.5 other';

/** mulberry32: a small seeded generator, so a failing case number reproduces. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generated(index: number): Case {
  const rng = seeded(SEED + index);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
  const styled = (keyword: string, value: string): string =>
    `${pick([keyword, keyword.toLowerCase(), keyword.toUpperCase()])}` +
    `${pick([' ', '=', ' = ', '\t'])}${value}${rng() < 0.15 && value !== 'none' ? ' # note' : ''}`;
  const block = (): string[] => {
    const patterns = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => pick(PATTERNS));
    if (rng() < 0.3) patterns.push(pick(NEGATED));
    const lines = [rng() < 0.12 ? styled('Match', 'all') : styled('Host', patterns.join(' '))];
    for (let n = 1 + Math.floor(rng() * 4); n > 0; n--) {
      const [keyword, values] = pick(VALUES);
      lines.push(`  ${styled(keyword, pick(values))}`);
    }
    return lines;
  };
  const blocks = Array.from({ length: 2 + Math.floor(rng() * 5) }, block);
  const files: Record<string, string> = {};
  if (rng() < 0.4) {
    // Some blocks move to two included files; the Include may land in a Host block.
    const moved = blocks.splice(Math.floor(rng() * blocks.length), 2);
    const [where, line] = pick([
      ['inc', 'Include @D/inc/*.conf'],
      ['.ssh/inc', 'Include inc/*.conf'],
      ['.ssh/inc', 'Include ~/.ssh/inc/?-*.conf'],
    ]);
    moved.forEach((lines, i) => (files[`${where}/${i}-part.conf`] = `${lines.join('\n')}\n`));
    blocks.splice(Math.floor(rng() * (blocks.length + 1)), 0, [line]);
  }
  const [keyword, values] = pick(VALUES);
  if (rng() < 0.5) blocks.push(['Host *', `  ${styled(keyword, pick(values))}`]);
  const text = `${blocks.map((b) => b.join('\n')).join('\n')}\n`;
  return {
    name: `generated #${index} (seed ${SEED}+${index})`,
    text,
    files,
    hosts: HOSTS.split(' '),
  };
}

const TABLE = table();
const CASES = [...TABLE, ...Array.from({ length: GENERATED }, (_, i) => generated(i))];

/** Writes the case under `dir` (its HOME), returning the config's path. */
function writeCase(dir: string, c: Case): string {
  const files = { config: c.text, ...c.files };
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text.replaceAll('@D', dir));
  }
  return path.join(dir, 'config');
}

/**
 * `ssh -v -G -F file host` with HOME=home: its output, or LOOP when ssh
 * refuses a last jump that is the target itself. -v lists the files ssh
 * reads: the config first, then only files under home (never /etc/ssh).
 */
function sshG(file: string, home: string, host: string): string {
  const r = spawnSync('ssh', ['-v', '-G', '-F', file, host], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10_000,
  });
  if (r.error) throw new Error(`cannot run ssh -G (OpenSSH client, required): ${r.error.message}`);
  const read = [...r.stderr.matchAll(/Reading configuration data (.+)$/gm)].map((m) => m[1]);
  const outside = read.filter((f) => !f.startsWith(`${home}${path.sep}`));
  assert.ok(read[0] === file && outside.length === 0, `ssh -G read ${show(read)}`);
  if (r.status === 255 && /jumphost loop via/.test(r.stderr)) return LOOP;
  const errors = r.stderr.replace(/^debug\d: .*\n/gm, '');
  assert.equal(r.status, 0, `ssh -G -F ${file} ${host} failed: ${errors}`);
  return r.stdout;
}

const LOOP = 'jumphost loop';

/** ssh.c's check: the last jump has the target's name, port and user. */
function isLoop(r: Resolved): boolean {
  const last = r.proxyjump?.at(-1);
  return (
    last?.host === r.hostname && (last.port ?? 22) === r.port && (last.user ?? r.user) === r.user
  );
}

function jumps(spec: string): JumpSpec[] {
  const parsed = parseJumpSpec(spec);
  if ('error' in parsed) assert.fail(parsed.error);
  return parsed;
}

/** `ssh -G` output: one `keyword value` a line; identityfile repeats. */
function fromOpenSsh(out: string): Resolved & { knownHosts: string[] } {
  const values = new Map<string, string[]>();
  for (const m of out.matchAll(/^(\S+) (.*)$/gm)) {
    values.set(m[1], [...(values.get(m[1]) ?? []), m[2]]);
  }
  const one = (k: string): string => values.get(k)?.[0] ?? assert.fail(`ssh -G printed no ${k}`);
  const jump = values.get('proxyjump')?.[0];
  return {
    hostname: one('hostname'),
    user: one('user'),
    port: Number(one('port')),
    identityfile: values.get('identityfile') ?? [],
    proxyjump: jump === undefined ? null : jumps(jump),
    knownHosts: one('userknownhostsfile').split(' '),
  };
}

/** The reader's answer with the transport's defaults (route.ts) filled in as OpenSSH's. */
function fromReader(config: SshConfig, host: string, defaultKeys: string[]): Resolved {
  const s = resolveSshConfig(config, host);
  const name = s.hostName ?? host;
  return {
    // ssh.c lowercases the name it connects to, unless it is an address, after
    // reading the config; the reader keeps it as written (DNS ignores case).
    hostname: net.isIP(name) ? name : name.toLowerCase(),
    user: s.user ?? LOCAL.username,
    port: s.port ?? 22,
    // None configured: ssh -G lists its default keys; the transport tries its own.
    identityfile: s.identityFiles.length > 0 ? s.identityFiles : defaultKeys,
    proxyjump: s.proxyJump === undefined || /^none$/i.test(s.proxyJump) ? null : jumps(s.proxyJump),
  };
}

/** The case's files, for a failure message. */
function listing(dir: string): string {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((f) => fs.statSync(f).isFile())
    .map((f) => `--- ${f}\n${fs.readFileSync(f, 'utf8')}`)
    .join('');
}

/** The production reading path: the transport reads the file and follows Include with `home`. */
function readConfig(file: string, home: string): SshConfig {
  const transport = sshTransport({ sshConfigFile: file, home }) as unknown as {
    sshConfig(host: string): SshConfig;
  };
  return transport.sshConfig('differential');
}

/** Writes the case and compares, host by host: the differences, as lines. */
function differences(c: Case, dir: string, defaultKeys: string[]): string[] {
  const file = writeCase(dir, c);
  const config = readConfig(file, dir);
  assert.equal(config.problems.length, c.warns ?? 0, show(config.problems));
  return c.hosts.flatMap((host) => {
    const ours = fromReader(config, host, defaultKeys);
    const out = sshG(file, dir, host);
    if (out === LOOP) return isLoop(ours) ? [] : [`${host}: ssh -G: ${LOOP}; reader ${show(ours)}`];
    const theirs: Resolved = fromOpenSsh(out);
    return (Object.keys(ours) as (keyof Resolved)[])
      .filter((k) => !isDeepStrictEqual(ours[k], theirs[k]))
      .map((k) => `${host} ${k}: reader ${show(ours[k])}, ssh -G ${show(theirs[k])}`);
  });
}

/** expandPath against ssh's own expansion of the same paths as UserKnownHostsFile. */
function checkExpansion(dir: string): void {
  // `~` alone is left out: ssh makes it `home/`, expandPath `home` (one directory).
  const paths = ['~/.ssh/kh_%h', '%d/kh/%u-%r-%p', '/kh/%n', '/kh/100%%h', '~/%%'];
  const text = `Host web-*\n  User Deploy\n  HostName %h.Lab.Example\n  Port 2201\nHost *\n  UserKnownHostsFile ${paths.join(' ')}\n`;
  const file = writeCase(dir, { name: 'expand', text, hosts: [] });
  for (const host of ['web-01', 'WEB-02', 'other']) {
    const got = fromOpenSsh(sshG(file, dir, host));
    const tokens = {
      home: LOCAL.homedir,
      localUser: LOCAL.username,
      remoteUser: got.user,
      hostName: got.hostname,
      originalHost: host,
      port: got.port,
    };
    const ours = paths.map((p) => expandPath(p, tokens));
    assert.deepEqual(ours, got.knownHosts, `${host}: ${paths.join(' ')}`);
  }
}

describe('differential: ssh config reading equals OpenSSH ssh -G', function () {
  this.timeout(60_000);
  let root: string;
  /** What ssh -G prints for an empty config: its defaults. */
  let bare: Resolved;

  before(() => {
    const r = spawnSync('ssh', ['-V'], { encoding: 'utf8' });
    if (r.error || !/OpenSSH_\d/.test(r.stderr)) {
      throw new Error('ssh (OpenSSH client) is required: install openssh-client; never skipped');
    }
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssh-g-'));
    const dir = path.join(root, 'empty');
    bare = fromOpenSsh(sshG(writeCase(dir, { name: '', text: '', hosts: [] }), dir, 'x'));
  });
  after(() => root && fs.rmSync(root, { recursive: true, force: true }));

  it('with -F, ssh reads that file only: an empty one gives the bare defaults', () => {
    const { hostname, user, port, proxyjump, identityfile } = bare;
    assert.ok(identityfile.length > 0 && identityfile.every((k) => k.startsWith('~/.ssh/id_')));
    const want = { hostname: 'x', user: LOCAL.username, port: 22, proxyjump: null };
    assert.deepEqual({ hostname, user, port, proxyjump }, want);
  });

  it(`the corpus: ${CASES.length} configs, none that makes ssh run a command or a lookup`, () => {
    assert.ok(TABLE.length >= 25 && GENERATED >= 50);
    for (const c of CASES) {
      for (const text of [c.text, ...Object.values(c.files ?? {})]) {
        assert.doesNotMatch(text, FORBIDDEN, `${c.name}: ssh -G must not run anything`);
      }
    }
  });

  CASES.forEach((c, index) => {
    it(`${c.name}: ${c.hosts.length} hosts`, () => {
      const dir = path.join(root, `case-${index}`);
      const diffs = differences(c, dir, bare.identityfile);
      if (diffs.length > 0) assert.fail(`${diffs.join('\n')}\n${listing(dir)}`);
    });
  });

  it('expandPath expands ~ and %d %u %r %h %n %p %% as ssh does (UserKnownHostsFile)', () => {
    checkExpansion(path.join(root, 'expand'));
  });
});
