import { strict as assert } from 'node:assert';
import { BESIDE_MARIADB, PER_FLAVOR, planShards, summaryOf, totalLine } from '../support/shards';
import { e2eFlavors } from '../support/lab';

/** `npm test`'s split of the suites over two processes (scripts/test.js). */
describe('test shards: which process runs which suites, and the run total', function () {
  const e2eFiles = [
    'site.test.js',
    'backup.test.js',
    'backup-copy.test.js',
    'diff.test.js',
    'ha.test.js',
    'lab.test.js',
    'monitoring.test.js',
    'replication.test.js',
    'rotation.test.js',
    'failover.test.js',
    'db-transport.test.js',
    'site-alt.test.js',
    'faults/first-apply.test.js',
    'faults/broken-inputs.test.js',
    'faults/outside-paths.test.js',
    'rollout.test.js',
  ];
  const input = { e2eDir: 'e2e', e2eFiles, otherSpecs: ['unit/**'] };
  const p = (n: string) => `e2e/${n}.test.js`;

  it('two processes: every e2e file runs, the per-flavour ones in both, the others in one; site first', function () {
    const [mysql, other] = planShards(input, 2);
    assert.deepEqual(mysql!.flavors, ['mysql']);
    assert.deepEqual(other!.flavors, ['mariadb']);
    assert.equal(mysql!.specs[0], p('site'));
    assert.deepEqual(other!.specs.slice(0, 2), ['unit/**', p('site')]);
    for (const f of e2eFiles) {
      const spec = `e2e/${f}`;
      const n = f.replace('.test.js', '');
      const inMysql = mysql!.specs.includes(spec);
      const inOther = other!.specs.includes(spec);
      if (PER_FLAVOR.includes(n)) assert.ok(inMysql && inOther, f);
      else if (BESIDE_MARIADB.includes(n)) assert.ok(!inMysql && inOther, f);
      else assert.ok(inMysql && !inOther, f);
    }
    assert.ok(!mysql!.specs.includes('unit/**'));
  });

  it('one process: everything, both flavours, site first among the e2e files', function () {
    const [all, ...rest] = planShards(input, 1);
    assert.equal(rest.length, 0);
    assert.deepEqual(all!.flavors, ['mysql', 'mariadb']);
    assert.deepEqual(all!.specs.slice(0, 2), ['unit/**', p('site')]);
    assert.equal(all!.specs.length, e2eFiles.length + 1);
  });

  it('a table naming a file that does not exist fails, naming it; so does a count other than 1 or 2', function () {
    assert.throws(
      () => planShards({ ...input, e2eFiles: e2eFiles.filter((f) => f !== 'ha.test.js') }, 2),
      /do not exist: ha$/,
    );
    assert.throws(() => planShards(input, 3), /1 or 2, not 3/);
  });

  const summaries: [string, string, ReturnType<typeof summaryOf>][] = [
    ['the last line', 'x\n\n12 passed, 1 failed\n', { passed: 12, failed: 1, skipped: 0 }],
    ['with skips', '3 passed, 0 failed, 2 skipped\n', { passed: 3, failed: 0, skipped: 2 }],
    [
      'the last of two',
      '1 passed, 0 failed\n4 passed, 2 failed\n',
      { passed: 4, failed: 2, skipped: 0 },
    ],
    ['not inside a line', 'said 1 passed, 0 failed here\n', undefined],
    ['none', 'crashed\n', undefined],
  ];
  for (const [what, output, expected] of summaries)
    it(`a process's summary: ${what}`, function () {
      assert.deepEqual(summaryOf(output), expected);
    });

  it('the total adds the processes up; one without a summary counts as a failure', function () {
    const a = { passed: 10, failed: 0, skipped: 0 };
    const b = { passed: 5, failed: 2, skipped: 1 };
    assert.equal(totalLine([a, b]), '15 passed, 2 failed, 1 skipped');
    assert.equal(totalLine([a, undefined]), '10 passed, 1 failed');
    assert.equal(totalLine([a]), '10 passed, 0 failed');
  });
});

describe('e2eFlavors: the flavours whose lab this test process may use', function () {
  const saved = process.env.FOOBAR_E2E_FLAVORS;
  afterEach(() => {
    if (saved === undefined) delete process.env.FOOBAR_E2E_FLAVORS;
    else process.env.FOOBAR_E2E_FLAVORS = saved;
  });
  const cases: [string | undefined, string[] | RegExp][] = [
    [undefined, ['mysql', 'mariadb']],
    ['mariadb', ['mariadb']],
    ['mysql,mariadb', ['mysql', 'mariadb']],
    ['', []],
    ['postgres', /unknown flavour postgres/],
  ];
  for (const [set, expected] of cases)
    it(`FOOBAR_E2E_FLAVORS=${set === undefined ? '(unset)' : JSON.stringify(set)}`, function () {
      if (set === undefined) delete process.env.FOOBAR_E2E_FLAVORS;
      else process.env.FOOBAR_E2E_FLAVORS = set;
      if (expected instanceof RegExp) assert.throws(() => e2eFlavors(), expected);
      else assert.deepEqual(e2eFlavors(), expected);
    });
});
