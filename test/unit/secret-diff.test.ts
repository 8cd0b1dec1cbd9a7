import { strict as assert } from 'node:assert';
import { MASK, Redactor } from '../../src/core/redact';
import { maskedFileDiff } from '../../src/core/secret-diff';
import { diffHunks, unifiedDiff } from '../../src/core/unified-diff';

const SECRET = 's3cret-value';

function redactorFor(...values: string[]): (text: string) => string {
  const r = new Redactor();
  for (const v of values) r.add(v);
  return (t) => r.redact(t);
}

const buf = (s: string) => Buffer.from(s, 'utf8');
const lines = (...ls: string[]) => ls.map((l) => `${l}\n`).join('');

describe('unified diff: {before, after} → hunks, as `diff -u` prints them', () => {
  // Expected hunks were produced by GNU diff -u on the same inputs.
  const a12 = lines('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l');
  const cases: {
    name: string;
    before: string;
    after: string;
    context?: number;
    hunks: string[];
  }[] = [
    { name: 'equal texts', before: lines('a', 'b'), after: lines('a', 'b'), hunks: [] },
    { name: 'both empty', before: '', after: '', hunks: [] },
    {
      name: 'one line changed',
      before: lines('a', 'b', 'd'),
      after: lines('a', 'c', 'd'),
      hunks: ['@@ -1,3 +1,3 @@', ' a', '-b', '+c', ' d'],
    },
    {
      name: 'a new file',
      before: '',
      after: lines('x', 'y', 'z'),
      hunks: ['@@ -0,0 +1,3 @@', '+x', '+y', '+z'],
    },
    {
      name: 'every line removed',
      before: lines('x', 'y'),
      after: '',
      hunks: ['@@ -1,2 +0,0 @@', '-x', '-y'],
    },
    {
      name: 'a line inserted at the top',
      before: lines('a', 'b', 'c', 'd', 'e'),
      after: lines('new', 'a', 'b', 'c', 'd', 'e'),
      hunks: ['@@ -1,3 +1,4 @@', '+new', ' a', ' b', ' c'],
    },
    {
      name: 'a deletion and an addition in one hunk',
      before: lines('a', 'b', 'c', 'd', 'e'),
      after: lines('a', 'b', 'd', 'e', 'f'),
      hunks: ['@@ -1,5 +1,5 @@', ' a', ' b', '-c', ' d', ' e', '+f'],
    },
    {
      name: 'changes more than 6 lines apart make two hunks',
      before: a12,
      after: a12.replace('b\n', 'B\n').replace('k\n', 'K\n'),
      hunks: [
        '@@ -1,5 +1,5 @@',
        ' a',
        '-b',
        '+B',
        ' c',
        ' d',
        ' e',
        '@@ -8,5 +8,5 @@',
        ' h',
        ' i',
        ' j',
        '-k',
        '+K',
        ' l',
      ],
    },
    {
      name: 'changes 6 lines apart or less share a hunk',
      before: a12,
      after: a12.replace('b\n', 'B\n').replace('h\n', 'H\n'),
      hunks: [
        '@@ -1,11 +1,11 @@',
        ' a',
        '-b',
        '+B',
        ' c',
        ' d',
        ' e',
        ' f',
        ' g',
        '-h',
        '+H',
        ' i',
        ' j',
        ' k',
      ],
    },
    {
      name: 'exactly 6 equal lines between changes: one hunk',
      before: a12,
      after: a12.replace('b\n', 'B\n').replace('i\n', 'I\n'),
      hunks: [
        '@@ -1,12 +1,12 @@',
        ' a',
        '-b',
        '+B',
        ...['c', 'd', 'e', 'f', 'g', 'h'].map((l) => ` ${l}`),
        '-i',
        '+I',
        ' j',
        ' k',
        ' l',
      ],
    },
    {
      name: '7 equal lines between changes: two hunks',
      before: a12,
      after: a12.replace('b\n', 'B\n').replace('j\n', 'J\n'),
      hunks: [
        '@@ -1,5 +1,5 @@',
        ' a',
        '-b',
        '+B',
        ' c',
        ' d',
        ' e',
        '@@ -7,6 +7,6 @@',
        ' g',
        ' h',
        ' i',
        '-j',
        '+J',
        ' k',
        ' l',
      ],
    },
    {
      name: 'a smaller context splits what 3 lines of context join',
      before: a12,
      after: a12.replace('b\n', 'B\n').replace('h\n', 'H\n'),
      context: 1,
      hunks: ['@@ -1,3 +1,3 @@', ' a', '-b', '+B', ' c', '@@ -7,3 +7,3 @@', ' g', '-h', '+H', ' i'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const options = c.context === undefined ? {} : { context: c.context };
      assert.deepEqual(diffHunks(c.before, c.after, options), c.hunks);
    });
  }

  it('show decides how each line is printed, the diff is computed on the real lines', () => {
    const hunks = diffHunks(lines('k=1'), lines('k=2'), { show: (t, op) => `${op}|${t.length}` });
    // Both lines print the same, yet the change is still there.
    assert.deepEqual(hunks, ['@@ -1 +1 @@', '--|3', '++|3']);
  });

  it('unifiedDiff adds the ---/+++ labels, and is empty for equal texts', () => {
    assert.equal(
      unifiedDiff(lines('a', 'b'), lines('a', 'c'), 'old/x', 'new/x'),
      '--- old/x\n+++ new/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n',
    );
    assert.equal(unifiedDiff(lines('a'), lines('a'), 'old/x', 'new/x'), '');
  });

  it('on 600 random pairs (with and without a last newline, context 0, 1 and 3) the hunks turn the old text into the new one, with diff -u headers', () => {
    let seed = 20261204;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const text = (n: number, from: string[]) => {
      const ls = Array.from({ length: n }, () => from[Math.floor(random() * from.length)]!);
      return ls.length > 0 && random() < 0.8 ? `${ls.join('\n')}\n` : ls.join('\n');
    };
    for (let i = 0; i < 600; i++) {
      const words = ['a', 'b', 'c', 'key=value', ''];
      const before = text(Math.floor(random() * 30), words);
      const after = text(Math.floor(random() * 30), words);
      const context = [0, 1, 3][i % 3]!;
      const hunks = diffHunks(before, after, { context });
      assert.equal(hunks.length === 0, before === after, `${JSON.stringify([before, after])}`);
      assert.equal(applyHunks(before, hunks), after, `${JSON.stringify([before, after, context])}`);
    }
  });
});

/**
 * Applies hunks to a text the way `patch` does, checking every context and
 * removed line against it: the test's own reading of the format.
 */
function applyHunks(before: string, hunks: string[]): string {
  // Each line keeps its newline; a line marked "\ No newline" loses it.
  const old = before.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const out: string[] = [];
  let at = 0;
  let last = '';
  for (const line of hunks) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(line);
    if (header) {
      const start = Number(header[1]);
      const first = header[2] === '0' ? start : start - 1;
      while (at < first) out.push(old[at++]!);
      continue;
    }
    if (line === '\\ No newline at end of file') {
      // About the line before it: an old line (already checked) or one of the new text.
      if (last !== '-') out[out.length - 1] = out.at(-1)!.replace(/\n$/, '');
      continue;
    }
    last = line[0]!;
    const body = `${line.slice(1)}\n`;
    if (line[0] === '+') out.push(body);
    else {
      assert.equal(old[at]?.replace(/\n?$/, '\n'), body, `line ${at + 1}: ${line}`);
      if (line[0] === ' ') out.push(old[at]!.endsWith('\n') ? body : line.slice(1));
      at++;
    }
  }
  while (at < old.length) out.push(old[at++]!);
  return out.join('');
}

describe('maskedFileDiff: {before, after, secrets} → hunks safe to print', () => {
  const redact = redactorFor(SECRET);

  it('equal contents → no hunks, nothing masked', () => {
    assert.deepEqual(maskedFileDiff(buf(lines('a', 'b')), buf(lines('a', 'b')), redact), {
      hunks: [],
      masked: false,
    });
  });

  it('a plain change → the exact hunk, nothing masked', () => {
    assert.deepEqual(maskedFileDiff(buf(lines('a', 'b', 'd')), buf(lines('a', 'c', 'd')), redact), {
      hunks: ['@@ -1,3 +1,3 @@', ' a', '-b', '+c', ' d'],
      masked: false,
    });
  });

  it('a new file (no before) → every line added', () => {
    assert.deepEqual(maskedFileDiff(undefined, buf(lines('one', 'two')), redact), {
      hunks: ['@@ -0,0 +1,2 @@', '+one', '+two'],
      masked: false,
    });
  });

  it('a new file holding a secret → the secret masked', () => {
    const d = maskedFileDiff(undefined, buf(lines('user=app', `password=${SECRET}`)), redact);
    assert.deepEqual(d, {
      hunks: ['@@ -0,0 +1,2 @@', '+user=app', `+password=${MASK}`],
      masked: true,
    });
  });

  /** Each case: the masked hunks, and old values that must appear nowhere in the result. */
  const cases: {
    name: string;
    before: string;
    after: string;
    hunks: string[];
    masked: boolean;
    hidden: string[];
  }[] = [
    {
      name: 'a rotated secret: old value masked by the shape of the planned line',
      before: lines('DB_PASSWORD=oldvalue123'),
      after: lines(`DB_PASSWORD=${SECRET}`),
      hunks: ['@@ -1 +1 @@', `-DB_PASSWORD=${MASK}`, `+DB_PASSWORD=${MASK}`],
      masked: true,
      hidden: ['oldvalue123', SECRET],
    },
    {
      name: 'a rotated secret in the middle of a line',
      before: lines('[db]', 'url=mysql://app:oldpass99@db/x', 'pool=5'),
      after: lines('[db]', `url=mysql://app:${SECRET}@db/x`, 'pool=5'),
      hunks: [
        '@@ -1,3 +1,3 @@',
        ' [db]',
        `-url=mysql://app:${MASK}@db/x`,
        `+url=mysql://app:${MASK}@db/x`,
        ' pool=5',
      ],
      masked: true,
      hidden: ['oldpass99', SECRET],
    },
    {
      name: 'a removed line naming a credential, with no planned shape → its value masked',
      before: lines(`DB_PASSWORD=${SECRET}`, 'OLD_API_TOKEN=abcdef123456', 'port=80'),
      after: lines(`DB_PASSWORD=${SECRET}`),
      hunks: ['@@ -1,3 +1 @@', ` DB_PASSWORD=${MASK}`, `-OLD_API_TOKEN=${MASK}`, '-port=80'],
      masked: true,
      hidden: ['abcdef123456', SECRET],
    },
    {
      name: 'a removed ordinary line is shown as is',
      before: lines('host=db', 'port=80'),
      after: lines('host=db'),
      hunks: ['@@ -1,2 +1 @@', ' host=db', '-port=80'],
      masked: false,
      hidden: [],
    },
    {
      name: 'a secret in a context line is masked',
      before: lines(`dsn=app:${SECRET}@db`, 'a'),
      after: lines(`dsn=app:${SECRET}@db`, 'b'),
      hunks: ['@@ -1,2 +1,2 @@', ` dsn=app:${MASK}@db`, '-a', '+b'],
      masked: true,
      hidden: [SECRET],
    },
    {
      name: 'a private key that the plan removes: every line of its body masked',
      before: lines(
        '-----BEGIN PRIVATE KEY-----',
        'MIGHAgEAMBMGByqGSM49AgEG',
        'oldkeybody2',
        '-----END PRIVATE KEY-----',
        'x',
      ),
      after: lines('x'),
      hunks: [
        '@@ -1,5 +1 @@',
        '------BEGIN PRIVATE KEY-----',
        `-${MASK}`,
        `-${MASK}`,
        '------END PRIVATE KEY-----',
        ' x',
      ],
      masked: true,
      hidden: ['MIGHAgEAMBMGByqGSM49AgEG', 'oldkeybody2'],
    },
    {
      name: "HAProxy's stats auth line of the old file: the credential masked",
      before: lines('    stats auth admin:old-stats-pw1', 'x'),
      after: lines('x'),
      hunks: ['@@ -1,2 +1 @@', `-    stats auth ${MASK}`, ' x'],
      masked: true,
      hidden: ['old-stats-pw1'],
    },
    {
      name: 'the current secret on a removed line is masked',
      before: lines(`legacy ${SECRET}`, 'x'),
      after: lines('x'),
      hunks: ['@@ -1,2 +1 @@', `-legacy ${MASK}`, ' x'],
      masked: true,
      hidden: [SECRET],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = maskedFileDiff(buf(c.before), buf(c.after), redact);
      assert.deepEqual(d, { hunks: c.hunks, masked: c.masked });
      const shown = JSON.stringify(d);
      for (const value of c.hidden) assert.ok(!shown.includes(value), `${value} leaked: ${shown}`);
    });
  }

  // Removed lines that name a credential, when no planned line has their shape.
  const credentialLines: [string, string][] = [
    ['OLD_API_TOKEN=abcdef123456', `OLD_API_TOKEN=${MASK}`],
    ['  password: "hunter22"', `  password: ${MASK}`],
    ['"api_key": "k-123456",', `"api_key": ${MASK}`],
    ['mysql_root_passwd = zzz123', `mysql_root_passwd = ${MASK}`],
    ['Secret: abc', `Secret: ${MASK}`],
    // Nothing to hide: no value, or no credential named.
    ['PASSWORD=', 'PASSWORD='],
    ['listen 80;', 'listen 80;'],
  ];
  for (const [removed, shown] of credentialLines) {
    it(`removed ${JSON.stringify(removed)} → ${JSON.stringify(shown)}`, () => {
      const d = maskedFileDiff(buf(lines(removed, 'keep')), buf(lines('keep')), redact);
      assert.deepEqual(d.hunks, ['@@ -1,2 +1 @@', `-${shown}`, ' keep']);
      assert.equal(d.masked, removed !== shown);
    });
  }

  it('binary content → one summary hunk, no content', () => {
    const after = Buffer.from([0x41, 0x00, 0x42]);
    const d = maskedFileDiff(undefined, after, redact);
    assert.deepEqual(d, {
      hunks: ['@@ binary content differs: absent -> 3 bytes @@'],
      masked: false,
    });
  });

  it('binary content before only → one summary hunk naming both sizes', () => {
    const before = Buffer.concat([buf(SECRET), Buffer.from([0])]);
    const d = maskedFileDiff(before, buf(lines('text')), redact);
    assert.equal(d.hunks.length, 1);
    assert.match(d.hunks[0]!, /binary/);
    assert.match(d.hunks[0]!, /13 bytes -> 5 bytes/);
    assert.ok(!JSON.stringify(d).includes(SECRET));
  });

  it('content over 512 KiB → one summary hunk saying it is too large', () => {
    const after = buf(`${'x'.repeat(600 * 1024)}\n`);
    const d = maskedFileDiff(buf(lines('short')), after, redact);
    assert.equal(d.hunks.length, 1);
    assert.match(d.hunks[0]!, /too large/);
    assert.match(d.hunks[0]!, /6 bytes -> 614401 bytes/);
    assert.equal(d.masked, false);
  });

  it('before and after together over 512 KiB → summarised', () => {
    const half = buf(`${'y'.repeat(300 * 1024)}\n`);
    const d = maskedFileDiff(half, Buffer.concat([half, buf('z\n')]), redact);
    assert.equal(d.hunks.length, 1);
    assert.match(d.hunks[0]!, /too large/);
  });

  it('more than 20000 lines in all → summarised', () => {
    const d = maskedFileDiff(buf('x\n'.repeat(10_000)), buf('x\n'.repeat(10_001)), redact);
    assert.equal(d.hunks.length, 1);
    assert.match(d.hunks[0]!, /too large/);
  });

  it('just under the limits → a real diff', () => {
    const before = 'x\n'.repeat(9_999);
    const d = maskedFileDiff(buf(before), buf(`${before}y\n`), redact);
    assert.deepEqual(d.hunks, ['@@ -9997,3 +9997,4 @@', ' x', ' x', ' x', '+y']);
  });

  it('a change of the final newline alone shows a hunk with the marker diff -u prints', () => {
    assert.deepEqual(maskedFileDiff(buf('a\n'), buf('a'), redact).hunks, [
      '@@ -1 +1 @@',
      '-a',
      '+a',
      '\\ No newline at end of file',
    ]);
    assert.deepEqual(diffHunks('a', 'a\n'), [
      '@@ -1 +1 @@',
      '-a',
      '\\ No newline at end of file',
      '+a',
    ]);
    assert.deepEqual(diffHunks('x\na', 'x\nb'), [
      '@@ -1,2 +1,2 @@',
      ' x',
      '-a',
      '\\ No newline at end of file',
      '+b',
      '\\ No newline at end of file',
    ]);
  });
});

describe('Redactor: every escaped form of a secret is masked', () => {
  const cases: { value: string; text: string; shown: string }[] = [
    { value: SECRET, text: `pw=${SECRET};`, shown: `pw=${MASK};` },
    { value: 'pa"ss-word', text: '{"password":"pa\\"ss-word"}', shown: `{"password":"${MASK}"}` },
    { value: 'back\\slash', text: '{"p":"back\\\\slash"}', shown: `{"p":"${MASK}"}` },
    { value: "pa'ss-word", text: "echo 'pa'\\''ss-word'", shown: `echo '${MASK}'` },
    { value: "pa'ss-word", text: "IDENTIFIED BY 'pa\\'ss-word'", shown: `IDENTIFIED BY '${MASK}'` },
    { value: "pa'ss-word", text: "IDENTIFIED BY 'pa''ss-word'", shown: `IDENTIFIED BY '${MASK}'` },
    { value: "pa'ss-word", text: "raw pa'ss-word", shown: `raw ${MASK}` },
    { value: 'abcd', text: 'abcd abcd', shown: `${MASK} ${MASK}` },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.value)} in ${JSON.stringify(c.text)}`, () => {
      const r = new Redactor();
      r.add(c.value);
      assert.equal(r.redact(c.text), c.shown);
    });
  }

  it('a multi-line secret (a PEM key) is masked line by line too, as a diff shows it; its armour lines are not', () => {
    const key = [
      '-----BEGIN PRIVATE KEY-----',
      'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgq1y3bS5k0d0S8Zx7',
      'hRANCAARm0xJ0hW4tJ2KfS0d7Yw3cR9b5gQ0q2xI1mYb1y0wVwq9v3Xx0h5d6A7',
      '-----END PRIVATE KEY-----',
    ].join('\n');
    const r = new Redactor();
    r.add(key);
    const diff = [
      '--- /etc/haproxy/certs/site.pem',
      '+++ /etc/haproxy/certs/site.pem',
      ' -----BEGIN PRIVATE KEY-----',
      '-MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgq1y3bS5k0d0S8Zx7',
      '+hRANCAARm0xJ0hW4tJ2KfS0d7Yw3cR9b5gQ0q2xI1mYb1y0wVwq9v3Xx0h5d6A7',
    ].join('\n');
    assert.equal(
      r.redact(diff),
      [
        '--- /etc/haproxy/certs/site.pem',
        '+++ /etc/haproxy/certs/site.pem',
        ' -----BEGIN PRIVATE KEY-----',
        `-${MASK}`,
        `+${MASK}`,
      ].join('\n'),
    );
    assert.equal(r.redact(key), MASK);
  });

  it('values shorter than 4 characters are not registered', () => {
    const r = new Redactor();
    r.add('abc');
    r.add('');
    assert.equal(r.size, 0);
    assert.equal(r.redact('abc def'), 'abc def');
  });

  it('adding a value twice changes nothing', () => {
    const r = new Redactor();
    r.add(SECRET);
    const size = r.size;
    r.add(SECRET);
    assert.equal(r.size, size);
  });

  it('the longest value wins where one secret contains another', () => {
    const r = new Redactor();
    r.add('s3cret');
    r.add(SECRET);
    assert.equal(r.redact(`a=${SECRET} b=s3cret`), `a=${MASK} b=${MASK}`);
  });

  it('a value with regular-expression characters is matched literally', () => {
    const r = new Redactor();
    r.add('a.b*c');
    assert.equal(r.redact('a.b*c axbbbc'), `${MASK} axbbbc`);
  });
});
