import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { matchPatternList, matchWildcard } from '../../src/transport/host-pattern';
import {
  expandPath,
  parseSshConfig,
  resolveSshConfig,
  splitArgs,
  type IncludeReader,
  type SshConfig,
} from '../../src/transport/ssh-config';
import { sshTransport } from '../../src/transport/ssh-transport';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'transport');
const CONFIG_DIR = path.join(FIXTURES, 'ssh_config');

/** Include paths relative to the fixture folder; `*` globs the file name. */
const fixtureIncludes: IncludeReader = (pattern) => {
  const full = path.join(CONFIG_DIR, pattern);
  const dir = path.dirname(full);
  const base = new RegExp(`^${path.basename(full).replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
  return fs
    .readdirSync(dir)
    .filter((n) => base.test(n))
    .sort()
    .map((n) => ({ file: path.join(dir, n), text: fs.readFileSync(path.join(dir, n), 'utf8') }));
};

interface Cases {
  resolve: { host: string; expect: Record<string, unknown> }[];
  problems: { line: number; match: string }[];
}

describe('transport: host patterns', () => {
  const cases: [string, string, boolean][] = [
    ['*', 'anything', true],
    ['web-??', 'web-01', true],
    ['web-??', 'web-1', false],
    ['web-??', 'web-001', false],
    ['*.lab', 'db.lab', true],
    ['*.lab', 'db.lab.example', false],
    ['*.LAB', 'db.lab', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['[10.0.0.1]:22*', '[10.0.0.1]:2222', true],
    ['', '', true],
    ['?', '', false],
  ];
  for (const [pattern, text, want] of cases) {
    it(`${pattern} ${want ? 'matches' : 'does not match'} "${text}"`, () =>
      assert.equal(matchWildcard(pattern, text), want));
  }
  it('a negated pattern wins over any positive one, and needs a positive one', () => {
    assert.equal(matchPatternList(['web-*', '!web-99'], 'web-01'), true);
    assert.equal(matchPatternList(['web-*', '!web-99'], 'web-99'), false);
    assert.equal(matchPatternList(['!web-99'], 'web-01'), false);
  });
  it('compares exactly when told to, as ssh_config Host lines do', () => {
    assert.equal(matchWildcard('*.LAB', 'db.lab', false), false);
    assert.equal(matchWildcard('web-??', 'web-01', false), true);
    assert.equal(matchPatternList(['web-*', '!WEB-99'], 'web-99', false), true);
    assert.equal(matchPatternList(['web-*'], 'WEB-01', false), false);
  });
});

describe('transport: ssh config reading', () => {
  const text = fs.readFileSync(path.join(CONFIG_DIR, 'config'), 'utf8');
  const cases = JSON.parse(
    fs.readFileSync(path.join(FIXTURES, 'ssh_config.cases.json'), 'utf8'),
  ) as Cases;
  const config = parseSshConfig(text, 'config', fixtureIncludes);

  for (const c of cases.resolve) {
    it(`resolves ${c.host}`, () => {
      assert.deepEqual({ ...resolveSshConfig(config, c.host) }, c.expect);
    });
  }

  it('reports the lines it ignores, with their line numbers', () => {
    for (const p of cases.problems) {
      const found = config.problems.find((q) => q.line === p.line);
      assert.ok(found, `no problem reported at line ${p.line}: ${JSON.stringify(config.problems)}`);
      assert.match(found.message, new RegExp(p.match));
    }
    assert.equal(config.problems.length, cases.problems.length);
  });

  it('reports Include when no reader is given, and keeps going', () => {
    const bare = parseSshConfig('Include other\nHost x\n  User u\n');
    assert.match(bare.problems[0].message, /Include/);
    assert.equal(resolveSshConfig(bare, 'x').user, 'u');
  });

  it('makes an Include inside a Host block conditional on that block', () => {
    const reader: IncludeReader = () => [{ file: 'inc', text: 'User inner\nHost *\nPort 2200\n' }];
    const config2 = parseSshConfig('Host only-me\n  Include inc\n', 'main', reader);
    assert.deepEqual(resolveSshConfig(config2, 'only-me'), {
      user: 'inner',
      port: 2200,
      identityFiles: [],
    });
    assert.deepEqual(resolveSshConfig(config2, 'someone-else'), { identityFiles: [] });
  });

  it('stops including at a depth of 16 (an Include loop)', () => {
    const reader: IncludeReader = () => [{ file: 'self', text: 'Include self\n' }];
    const looped = parseSshConfig('Include self\n', 'self', reader);
    assert.ok(looped.problems.some((p) => /too deeply/.test(p.message)));
  });

  const splits: [string, string[]][] = [
    ['a b\tc', ['a', 'b', 'c']],
    ['"a b" c', ['a b', 'c']],
    ["'a \"b' c", ['a "b', 'c']],
    ['a\\ b', ['a b']],
    ['a # comment', ['a']],
    ['a#b', ['a#b']],
    ['""', ['']],
    // As OpenSSH's argv_split: \' \" \\ are escapes inside either quote.
    ['"a\\\'b" \'c\\"d\'', ["a'b", 'c"d']],
  ];
  for (const [input, want] of splits) {
    it(`splits ${JSON.stringify(input)}`, () => assert.deepEqual(splitArgs(input).args, want));
  }

  it('accepts Key=Value, Key = Value and any keyword case', () => {
    const c = parseSshConfig('HOST=a\nhostname = h.example\nPORT=2200\n');
    assert.deepEqual(resolveSshConfig(c, 'a'), {
      hostName: 'h.example',
      port: 2200,
      identityFiles: [],
    });
  });

  it('expands ~ and the IdentityFile tokens', () => {
    const tokens = {
      home: '/home/op',
      localUser: 'op',
      remoteUser: 'deploy',
      hostName: 'web-01.lab',
      originalHost: 'web-01',
      port: 2222,
    };
    assert.equal(expandPath('~/.ssh/id_%r', tokens), '/home/op/.ssh/id_deploy');
    assert.equal(
      expandPath('%d/k/%u-%h-%n-%p-%%', tokens),
      '/home/op/k/op-web-01.lab-web-01-2222-%',
    );
    assert.equal(expandPath('/abs/~not-home', tokens), '/abs/~not-home');
  });
});

describe("transport: the transport's ssh config file", () => {
  it('globs Include file names case-sensitively, as glob(3)', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ssh-include-'));
    try {
      fs.mkdirSync(path.join(home, '.ssh', 'conf.d'), { recursive: true });
      fs.writeFileSync(path.join(home, '.ssh', 'config'), 'Include conf.d/*.conf\n');
      fs.writeFileSync(path.join(home, '.ssh', 'conf.d', 'a.conf'), 'Port 2001\n');
      fs.writeFileSync(path.join(home, '.ssh', 'conf.d', 'b.CONF'), 'User upper\n');
      // The transport's own reading path (a private method), Include reader and all.
      const transport = sshTransport({ home }) as unknown as { sshConfig(h: string): SshConfig };
      const config = transport.sshConfig('x');
      assert.deepEqual(resolveSshConfig(config, 'x'), { port: 2001, identityFiles: [] });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
