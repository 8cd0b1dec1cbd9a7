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

  it('file contents that come back base64 (diff, validate) are decoded for the trace, so their secrets are masked', () => {
    const content = Buffer.from(`DB_PASSWORD=${SECRET}\nPORT=3000\n`);
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
    const shown = inspectionForTrace(output);
    assert.equal(
      shown,
      [
        '@@fb-inspect 0 before',
        `DB_PASSWORD=${SECRET}`,
        'PORT=3000',
        '@@fb-inspect 1 before',
        '(4 bytes of binary data)',
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
