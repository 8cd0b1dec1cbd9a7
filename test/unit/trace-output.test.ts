import { strict as assert } from 'node:assert';
import { memoryIo } from '../../src/cli/io';
import { MASK, Redactor } from '../../src/core/redact';
import type { EngineEvent } from '../../src/engine/events';
import { inspectionForTrace } from '../../src/engine/inspect-script';
import {
  textReporter,
  traceBlock,
  TRACE_MAX_LINE,
  TRACE_MAX_LINES,
} from '../../src/report/text-reporter';

const SECRET = 'canary-93c1-not-for-eyes';

const trace: EngineEvent = {
  type: 'trace',
  host: 'web-01',
  what: 'change (1 step)',
  exitCode: 0,
  ms: 12.4,
  script: `( set +u; eval 'print-token' ) </dev/null\nprintf '@@fb-group-done %s\\n' 0\n`,
  stdout: `token=${SECRET}\n@@fb-group-done 0\n`,
  stderr: `warning: ${SECRET} is in use\n`,
};

/** What `apply -v…` prints of one trace, through an Io that knows the secret. */
function printed(verbosity: number): string {
  const redactor = new Redactor();
  redactor.add(SECRET);
  const io = memoryIo(redactor);
  textReporter({ color: false, verbosity, out: (l) => io.out(l) })(trace);
  return io.stdout;
}

describe('-v, -vv, -vvv: remote commands, their scripts, their output, redacted', () => {
  it('nothing without -v', () => {
    assert.equal(printed(0), '');
  });

  it('-v: each remote command, what it was for, its exit and time', () => {
    assert.equal(printed(1), '  [web-01] change (1 step): exit 0 in 12 ms\n');
  });

  it('-vv: and its script', () => {
    assert.equal(
      printed(2),
      [
        '  [web-01] change (1 step): exit 0 in 12 ms',
        "    | ( set +u; eval 'print-token' ) </dev/null",
        "    | printf '@@fb-group-done %s\\n' 0",
        '',
      ].join('\n'),
    );
  });

  it('-vvv: and its stdout and stderr, a secret in them masked', () => {
    const out = printed(3);
    assert.ok(out.includes(`    > token=${MASK}\n    > @@fb-group-done 0\n`), out);
    assert.ok(out.includes(`    ! warning: ${MASK} is in use\n`), out);
    assert.ok(!out.includes(SECRET));
    assert.ok(!out.includes('canary'));
  });

  it('output is cut at whole lines only, so a secret is never cut in two past the redactor', () => {
    const many = Array.from({ length: TRACE_MAX_LINES + 7 }, (_, i) => `line ${i}`).join('\n');
    const block = traceBlock(`${many}\n`, '> ').split('\n');
    assert.equal(block.length, TRACE_MAX_LINES + 1);
    assert.equal(block.at(-2), `> line ${TRACE_MAX_LINES - 1}`);
    assert.equal(block.at(-1), '> (7 more lines, not shown)');
    const long = `${'x'.repeat(TRACE_MAX_LINE - 3)}${SECRET}`;
    assert.deepEqual(traceBlock(`a\n${long}\nb`, '! ').split('\n'), [
      '! a',
      `! (a line of ${long.length} characters, not shown)`,
      '! b',
    ]);
  });

  it("a file's current content (read for a diff) shows by its size only: it may hold secrets the run does not know", () => {
    const content = Buffer.from(`DB_PASSWORD=old-unknown-value\nPORT=3000\n`);
    const output = Buffer.from(
      [
        '@@fb-inspect 0 before',
        content.toString('base64'),
        '@@fb-inspect 1 before',
        Buffer.from([0, 1, 2, 255]).toString('base64'),
        '@@fb-inspect end',
        '',
      ].join('\n'),
    );
    assert.equal(
      inspectionForTrace(output),
      [
        '@@fb-inspect 0 before',
        `(${content.length} bytes: the file's current content, not shown)`,
        '@@fb-inspect 1 before',
        "(4 bytes: the file's current content, not shown)",
        '@@fb-inspect end',
      ].join('\n'),
    );
  });

  it("a validator's output is decoded, its secrets masked: the run's by the redactor, private keys and credentials by their shape", () => {
    const said = [
      `[ALERT] line 3: password ${SECRET} rejected`,
      'stats auth admin:old-unknown-pw',
      '-----BEGIN EC PRIVATE KEY-----',
      'MHcCAQEEIOldKeyBodyLine1',
      '-----END EC PRIVATE KEY-----',
      'done',
    ].join('\n');
    const output = Buffer.from(
      [
        '@@fb-inspect 0 validated 1',
        Buffer.from(`${said}\n`).toString('base64'),
        '@@fb-inspect 1 validated 0',
        Buffer.from([0, 9]).toString('base64'),
        '@@fb-inspect end',
        '',
      ].join('\n'),
    );
    const shown = inspectionForTrace(output);
    assert.equal(
      shown,
      [
        '@@fb-inspect 0 validated 1',
        `[ALERT] line 3: password ${MASK}`,
        `stats auth ${MASK}`,
        '-----BEGIN EC PRIVATE KEY-----',
        MASK,
        '-----END EC PRIVATE KEY-----',
        'done',
        '@@fb-inspect 1 validated 0',
        '(2 bytes of binary data)',
        '@@fb-inspect end',
      ].join('\n'),
    );
    const redactor = new Redactor();
    redactor.add(SECRET);
    assert.ok(!redactor.redact(traceBlock(shown, '> ')).includes(SECRET));
  });

  it('a secret with both kinds of quote is masked inside shell single quotes too', () => {
    const redactor = new Redactor();
    const value = `it's "quoted" ok`;
    redactor.add(value);
    const json = JSON.stringify(value).slice(1, -1);
    const inShell = `printf '%s' '${json.replace(/'/g, `'\\''`)}'`;
    assert.equal(redactor.redact(inShell), `printf '%s' '${MASK}'`);
  });
});
