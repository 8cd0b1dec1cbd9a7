import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { cli, cliProcess, fixture } from '../support/cli';

const BAD = fixture('inventories', 'bad');
const expected = JSON.parse(fs.readFileSync(`${BAD}/expected.json`, 'utf8')) as Record<
  string,
  string[]
>;

describe('inventory corpus: every broken inventory gets its positioned error', () => {
  it('has at least 20 cases, each with an expected message', () => {
    const files = fs.readdirSync(BAD).filter((f) => f.endsWith('.yml'));
    assert.ok(files.length >= 20, `only ${files.length} cases`);
    assert.deepEqual(files.sort(), Object.keys(expected).sort());
  });

  for (const [file, messages] of Object.entries(expected)) {
    it(`${file} → exit 1 with "${messages[0]}"`, async () => {
      const r = await cli('validate', '-i', `test/fixtures/inventories/bad/${file}`);
      assert.equal(r.code, 1, r.stderr);
      for (const m of messages)
        assert.ok(r.stderr.includes(m), `expected\n  ${m}\nin\n${r.stderr}`);
      assert.match(messages[0]!, /^[^:]+\.yml:\d+:\d+: /, 'messages carry file:line:col');
      assert.doesNotMatch(r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
    });
  }

  it('never echoes a plain-text password back', async () => {
    const r = await cli('validate', '-i', 'test/fixtures/inventories/bad/plain-password.yml');
    assert.equal(r.code, 1);
    assert.ok(!r.stdout.includes('hunter2-canary') && !r.stderr.includes('hunter2-canary'));
  });

  it('a missing file and a folder are clear errors', async () => {
    const missing = await cli('validate', '-i', 'test/fixtures/inventories/bad/nope.yml');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.yml: file not found/);
    const dir = await cli('validate', '-i', 'test/fixtures/inventories/bad');
    assert.equal(dir.code, 1);
    assert.match(dir.stderr, /is a directory/);
  });

  it('the real executable exits 1 without a stack trace', () => {
    const r = cliProcess(['validate', '-i', fixture('inventories', 'bad', 'two-primaries.yml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /two-primaries\.yml:11:51: .*a second primary/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  });

  it('reports every problem in a file, not just the first', async () => {
    const r = await cli('validate', '-i', 'test/fixtures/inventories/multi-error.yml');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /multi-error\.yml:\d+:\d+: .*ssh_port: must be 1-65535/);
    assert.match(
      r.stderr,
      /multi-error\.yml:\d+:\d+: .*adress: unknown variable \(did you mean "address"\?\)/,
    );
    assert.match(r.stderr, /multi-error\.yml:\d+:\d+: .*become: expected boolean/);
  });
});
