import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseFacts } from '../../src/facts/parse';
import { gatherScript } from '../../src/facts/script';
import { factKey, type FactRequest } from '../../src/facts/types';

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

    it('from an ancestor when the environment was reset (as sudo does), past a process whose name holds ") "', () => {
      // The parent's name holds ") ", which /proc/PID/stat prints unquoted.
      const odd = path.join(dir, 'odd) name');
      fs.symlinkSync(fs.realpathSync('/bin/sh'), odd);
      const script = gatherScript([request]);
      const inner = `env -u SSH_CONNECTION sh -c ${shQuote(script)}; true`;
      const r = spawnSync(odd, ['-c', inner], {
        encoding: 'utf8',
        env: { ...clean, SSH_CONNECTION: connection },
      });
      assert.equal(r.status, 0, r.stderr);
      const facts = parseFacts([request], r.stdout);
      assert.deepEqual(facts.get(factKey(request))!.value, {
        address: '192.0.2.7',
        port: 50022,
        serverAddress: '192.0.2.11',
        serverPort: 2222,
      });
    });

    it('none anywhere up the tree: unknown', () => {
      const facts = parseFacts([request], sh(gatherScript([request]), clean));
      assert.equal(facts.get(factKey(request))!.value, undefined);
    });
  });
});

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
