import { strict as assert } from 'node:assert';
import { MASK } from '../../src/core/redact';
import { parseFacts } from '../../src/facts/parse';
import { FACT_BEGIN, FACT_END, factMarkers, gatherLayout } from '../../src/facts/script';
import { gatherForTrace } from '../../src/facts/trace';
import type { FactRequest } from '../../src/facts/types';

/** Issue 20: what -vvv shows of a gather, which reads files and state of the host. */
describe('the trace of a gather: no file content read whole, no key, no credential value', () => {
  const requests: FactRequest[] = [
    { kind: 'content', path: '/var/lib/foobar-infra/secret-fingerprints' },
    { kind: 'haproxy_stat', port: 9000 },
    { kind: 'content', path: '/etc/absent.conf' },
  ];
  const fingerprints = "mysql:'repl'@'10.0.0.3'\tscrypt$aabbccddeeff00112233";
  const sections: Record<string, string> = {
    '0': `present\n${fingerprints}\nmysql:'foobar'@'localhost'\tscrypt$ffeeddcc`,
    '1': 'ok\nDB_PASSWORD=old-unknown-pw\n-----BEGIN PRIVATE KEY-----\nMIIEvOldKey\n-----END PRIVATE KEY-----',
    '2': 'absent',
  };
  const keys = [...gatherLayout(requests).sections.keys()];
  const output = `${keys.map((k) => `${FACT_BEGIN} ${k}\n${sections[k]}\n${FACT_END}`).join('\n')}\n`;

  it('the output parses as the gather reads it (the test speaks the real format)', () => {
    const facts = parseFacts(requests, output);
    assert.equal(facts.size, 3);
  });

  it('a file read whole shows as present or absent and its size; other output has keys and credentials masked', () => {
    const shown = gatherForTrace(requests)(Buffer.from(output));
    assert.equal(
      shown,
      [
        `${FACT_BEGIN} ${keys[0]}`,
        'present',
        `(${Buffer.byteLength(sections['0']!.slice('present\n'.length))} bytes: the file's content, not shown)`,
        FACT_END,
        `${FACT_BEGIN} ${keys[1]}`,
        'ok',
        `DB_PASSWORD=${MASK}`,
        '-----BEGIN PRIVATE KEY-----',
        MASK,
        '-----END PRIVATE KEY-----',
        FACT_END,
        `${FACT_BEGIN} ${keys[2]}`,
        'absent',
        FACT_END,
        '',
      ].join('\n'),
    );
    for (const value of ['aabbccddeeff', 'ffeeddcc', 'old-unknown-pw', 'MIIEvOldKey'])
      assert.ok(!shown.includes(value), value);
  });

  it("with the gather's own markers (a nonce per run), the file read whole is still hidden, and imitated markers hide nothing", () => {
    const { begin, end } = factMarkers('5eed');
    const withNonce = `${keys.map((k) => `${begin} ${k}\n${sections[k]}\n${end}`).join('\n')}\n`;
    const shown = gatherForTrace(requests, '5eed')(Buffer.from(withNonce));
    assert.ok(!shown.includes('aabbccddeeff'), shown);
    assert.match(shown, /bytes: the file's content, not shown/);
    assert.equal(parseFacts(requests, withNonce, '5eed').size, 3);
    // Fixed markers inside the output end nothing: the whole file stays hidden.
    const imitated = withNonce.replace(
      `present\n${fingerprints}`,
      `present\n${FACT_END}\n${fingerprints}`,
    );
    assert.ok(!gatherForTrace(requests, '5eed')(Buffer.from(imitated)).includes('aabbccddeeff'));
  });

  it('output cut short inside a file read whole shows none of it', () => {
    const cut = `${FACT_BEGIN} ${keys[0]}\npresent\n${fingerprints}`;
    const shown = gatherForTrace(requests)(Buffer.from(cut));
    assert.ok(!shown.includes('aabbccddeeff'), shown);
    assert.match(shown, /cut short/);
  });
});
