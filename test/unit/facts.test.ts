import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { FactParseError, parseFact, parseFacts, parseTree } from '../../src/facts/parse';
import { gatherScript } from '../../src/facts/script';
import { quote } from '../../src/core/shell';
import { factKey, type FactRequest } from '../../src/facts/types';
import { fixture } from '../support/cli';

/** Maps and nested objects as plain JSON, to compare with the fixtures. */
function plain(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]));
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, plain(v)]),
    );
  }
  return value;
}

describe('fact parsers: {request, output} → fact, from real command output', () => {
  const dir = fixture('facts');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const c = JSON.parse(fs.readFileSync(`${dir}/${file}`, 'utf8')) as {
      request: FactRequest;
      output: string;
      expected: unknown;
    };
    it(file.replace(/\.json$/, ''), () => {
      assert.deepEqual(plain(parseFact(c.request, c.output).value), c.expected);
    });
  }

  it('a whole gather output is split by the markers of its own script', () => {
    const requests: FactRequest[] = [
      { kind: 'exists', path: '/a' },
      { kind: 'exists', path: '/a' },
      { kind: 'exit', script: "printf 'multi\\nline'" },
    ];
    const script = gatherScript(requests);
    assert.equal(
      (script.match(/@@foobar-fact-begin@@/g) ?? []).length,
      2,
      'repeated requests are gathered once',
    );
    const output =
      '@@foobar-fact-begin@@ 0\nno\n@@foobar-fact-end@@\n@@foobar-fact-begin@@ 1\n0\n@@foobar-fact-end@@\n';
    const facts = parseFacts(requests, output);
    assert.equal(facts.get('exists:/a')!.value, false);
    assert.equal(facts.get("exit:printf 'multi\\nline'")!.value, 0);
  });

  it('every package fact shares one dpkg-query and every unit fact one systemctl show; each gets its own answer (output recorded on a lab host)', () => {
    const requests: FactRequest[] = [
      { kind: 'packages', names: ['nginx', 'nodejs'] },
      { kind: 'units', names: ['nginx', 'mysql'] },
      { kind: 'packages', names: ['nftables', 'nginx', 'no-such-package'] },
      { kind: 'units', names: ['nftables', 'no-such'] },
    ];
    const script = gatherScript(requests);
    assert.equal((script.match(/dpkg-query /g) ?? []).length, 1, script);
    assert.equal((script.match(/systemctl show /g) ?? []).length, 1, script);
    assert.match(script, /-- nginx nodejs nftables no-such-package /);
    assert.match(script, /-- nginx\.service mysql\.service nftables\.service no-such\.service /);
    const unit = (id: string, load: string, active: string, sub: string, file: string) =>
      `Id=${id}\nLoadState=${load}\nActiveState=${active}\nSubState=${sub}\nUnitFileState=${file}\nNeedDaemonReload=no\n`;
    const output = [
      '@@foobar-fact-begin@@ packages',
      'nftables\tii \t1.1.7-3',
      'nginx\tii \t1.30.6-2',
      'nodejs\tii \t24.22.2+dfsg+~cs24.19.2-1',
      '@@foobar-fact-end@@',
      '@@foobar-fact-begin@@ units',
      [
        unit('nginx.service', 'loaded', 'active', 'running', 'enabled'),
        unit('mysql.service', 'loaded', 'active', 'running', 'enabled'),
        unit('nftables.service', 'loaded', 'inactive', 'dead', 'enabled'),
        unit('no-such.service', 'not-found', 'inactive', 'dead', ''),
      ].join('\n'),
      '@@foobar-fact-end@@',
      '',
    ].join('\n');
    const facts = parseFacts(requests, output);
    const value = (r: FactRequest) => plain(facts.get(factKey(r))!.value) as Record<string, never>;
    assert.deepEqual(Object.keys(value(requests[0]!)), ['nginx', 'nodejs']);
    assert.deepEqual(value(requests[2]!)['no-such-package'], {
      name: 'no-such-package',
      installed: false,
    });
    assert.deepEqual(value(requests[2]!).nginx, {
      name: 'nginx',
      installed: true,
      version: '1.30.6-2',
    });
    assert.deepEqual(
      Object.entries(value(requests[1]!)).map(([n, u]) => [
        n,
        (u as { activeState: string }).activeState,
      ]),
      [
        ['nginx', 'active'],
        ['mysql', 'active'],
      ],
    );
    assert.deepEqual(
      Object.entries(value(requests[3]!)).map(([n, u]) => [
        n,
        (u as { loadState: string }).loadState,
      ]),
      [
        ['nftables', 'loaded'],
        ['no-such', 'not-found'],
      ],
    );
  });

  it('missing or garbled output is an error, never a guess', () => {
    assert.throws(() => parseFacts([{ kind: 'exists', path: '/a' }], ''), FactParseError);
    assert.throws(
      () => parseFact({ kind: 'file', path: '/a' }, 'regular file\t644\n'),
      FactParseError,
    );
    assert.throws(() => parseFact({ kind: 'exit', script: 'x' }, 'oops'), FactParseError);
  });

  it('units: one block per asked unit, in order, aliases included', () => {
    const output = [
      'Id=nginx.service',
      'LoadState=loaded',
      'ActiveState=active',
      'SubState=running',
      'UnitFileState=enabled',
      '',
      'Id=mariadb.service',
      'LoadState=loaded',
      'ActiveState=inactive',
      'SubState=dead',
      'UnitFileState=disabled',
      '',
      'Id=nope.service',
      'LoadState=not-found',
      'ActiveState=inactive',
      'SubState=dead',
      'UnitFileState=',
    ].join('\n');
    const units = parseFact({ kind: 'units', names: ['nginx', 'mysql', 'nope'] }, output)
      .value as Map<string, { activeState: string; unitFileState: string; loadState: string }>;
    assert.equal(units.get('nginx')!.activeState, 'active');
    assert.equal(units.get('mysql')!.unitFileState, 'disabled');
    assert.equal(units.get('nope')!.loadState, 'not-found');
  });

  it('tree: a hash printed before the entry it belongs to still reaches it (one find prints both, its hashes in batches)', () => {
    const sha = (c: string) => c.repeat(64);
    const text = [
      `${sha('a')}  ./app/server.js`,
      'd\t755\troot\troot\tapp',
      'f\t644\troot\troot\tapp/server.js',
      'f\t600\troot\troot\tapp/secret env',
      `${sha('b')}  ./app/secret env`,
    ].join('\n');
    const tree = parseTree('/opt/site', text);
    assert.equal(tree.entries.get('app/server.js')?.sha256, sha('a'));
    assert.equal(tree.entries.get('app/secret env')?.sha256, sha('b'));
    assert.equal(tree.entries.get('app')?.sha256, undefined);
    assert.throws(
      () => parseTree('/opt/site', `${sha('c')}  ./not-listed`),
      /tree \/opt\/site: a hash of .*not-listed.*, which find did not list/,
    );
  });

  it('content: absent, or the text of the file', () => {
    assert.equal(parseFact({ kind: 'content', path: '/x' }, 'absent').value, undefined);
    assert.equal(parseFact({ kind: 'content', path: '/x' }, 'present\na\tb\n').value, 'a\tb\n');
  });

  it('sql: the output, or the client error, never a guess', () => {
    const q = { kind: 'sql' as const, query: 'SELECT 1' };
    assert.deepEqual(parseFact(q, 'ok\n1\n').value, { ok: true, output: '1' });
    assert.deepEqual(parseFact(q, "error\nERROR 2002 (HY000): Can't connect\n").value, {
      ok: false,
      error: "ERROR 2002 (HY000): Can't connect",
    });
    assert.throws(() => parseFact(q, 'garbage'), FactParseError);
  });

  it('a remote SQL fact keeps the password out of its key and out of argv', () => {
    const request: FactRequest = {
      kind: 'sql',
      query: 'SELECT @@server_uuid',
      remote: { host: '10.0.0.11', port: 3306, user: 'repl', password: `pa'ss"word\\` },
    };
    const script = gatherScript([request]);
    assert.ok(!factKey(request).includes('pa'));
    // The password is only an argument of printf, a shell builtin, writing a
    // file under umask 077 in the gather's private folder.
    const line = script.split('\n').find((l) => l.includes('pa'))!;
    assert.match(line, /\( umask 077 && printf '\[client\]/);
    assert.match(line, /> "\$fb_d\/sql0\.cnf" \)/);
    assert.match(script, /\| mysql --defaults-extra-file="\$fb_d\/sql0\.cnf"/);
  });

  it('shell quoting survives quotes, spaces and metacharacters', () => {
    assert.equal(quote("it's a $test"), `'it'\\''s a $test'`);
    assert.equal(quote('/etc/nginx/nginx.conf'), '/etc/nginx/nginx.conf');
    assert.equal(quote(''), "''");
  });
});

describe('the ssh_client fact: SSH_CONNECTION as the host sees it', () => {
  const parse = (text: string) => parseFact({ kind: 'ssh_client' }, text).value;

  it('an IPv4 client, as sshd sets it', () => {
    assert.deepEqual(parse('10.231.7.1 36732 10.231.7.11 22\n'), {
      address: '10.231.7.1',
      port: 36732,
      serverAddress: '10.231.7.11',
      serverPort: 22,
    });
  });

  it('an IPv6 client, and an IPv4 one seen by a dual-stack sshd as ::ffff:a.b.c.d', () => {
    assert.deepEqual(parse('2001:db8::7 50000 2001:db8::11 2222\n'), {
      address: '2001:db8::7',
      port: 50000,
      serverAddress: '2001:db8::11',
      serverPort: 2222,
    });
    assert.equal(
      (parse('::ffff:192.0.2.1 50000 ::ffff:192.0.2.10 22') as { address: string }).address,
      '192.0.2.1',
    );
  });

  it('unknown (no SSH_CONNECTION anywhere up the process tree) is undefined; garbage is an error', () => {
    assert.equal(parse('\n'), undefined);
    assert.throws(() => parse('10.0.0.1 x 10.0.0.2 22'), FactParseError);
  });

  it('the gather script reads it through sudo (which resets the environment) from an ancestor process', () => {
    const script = gatherScript([{ kind: 'ssh_client' }]);
    assert.match(script, /\/proc\/\$fb_p\/environ/);
    assert.match(script, /SSH_CONNECTION=/);
  });
});
