/**
 * How `npm test` (scripts/test.js) splits the suites over test processes
 * that run at the same time. Most of an e2e test's time is a lab host's:
 * packages unpacking, a database starting, a machine booting. One process
 * leaves about a third of the machine idle; two fill it.
 *
 * Every e2e lab belongs to exactly one process, so two processes never touch
 * the same hosts: the MySQL flavour's lab (`e2e`) and the suites that use it
 * run in the first; the MariaDB flavour's lab (`e2e-mariadb`), the labs of
 * their own (two load balancers, another inventory) and the suites without
 * hosts run in the second. A suite that runs once per flavour is loaded by
 * both, and each process registers only its own flavour's copy
 * (`e2eFlavors()` in lab.ts); a suite that asks for another flavour's lab
 * fails, so a wrong table here shows at once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FLAVOR_NAMES, type Flavor } from '../../src/lab/flavors';

/** e2e files (under the e2e folder, no extension) that hold one copy of their suites per flavour. */
export const PER_FLAVOR = [
  'site',
  'backup',
  'backup-copy',
  'db-transport',
  'failover',
  'lab',
  'monitoring',
  'replication',
  'rotation',
];

/**
 * e2e files that run beside the MariaDB suites: their own labs (of the MySQL
 * flavour's image, whose build is shared under a lock), no lab at all, or the
 * MariaDB flavour's lab for a suite that does not depend on the flavour
 * (`rollout`: it evens out the two processes' times).
 */
export const BESIDE_MARIADB = [
  'ha',
  'site-alt',
  'faults/broken-inputs',
  'faults/outside-paths',
  'rollout',
];

/** The suite whose first apply becomes each flavour's checkpoint `site` (.mocharc.js). */
const FIRST = 'site';

export interface Shard {
  name: string;
  /** The flavours whose lab this process may use. */
  flavors: Flavor[];
  /** Mocha spec paths and globs, in run order. */
  specs: string[];
}

export interface ShardInput {
  /** The compiled e2e folder, e.g. dist/test/e2e. */
  e2eDir: string;
  /** Every compiled e2e test file, relative to `e2eDir`, e.g. faults/first-apply.test.js. */
  e2eFiles: string[];
  /** Globs of the unit and integration suites. */
  otherSpecs: string[];
}

const SUFFIX = '.test.js';

/**
 * What a run splits, read from the compiled tests under `root`: the e2e files
 * (none before a build) and the globs of the unit and integration suites.
 * `.mocharc.js` (one process) and scripts/test.js (two) both start here.
 */
export function shardInput(root: string): ShardInput {
  const e2eDir = 'dist/test/e2e';
  const dir = path.join(root, e2eDir);
  const e2eFiles = fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { recursive: true })
        .map((f) => String(f).split(path.sep).join('/'))
        .filter((f) => f.endsWith(SUFFIX))
    : [];
  return {
    e2eDir,
    e2eFiles,
    otherSpecs: ['dist/test/unit/**/*.test.js', 'dist/test/integration/**/*.test.js'],
  };
}

/**
 * The processes' spec lists: `count` 1 is everything in one process (as a
 * plain `mocha` runs it); 2 is the split described above. Throws when the
 * tables name a file that does not exist, so they cannot go stale quietly.
 */
export function planShards(input: ShardInput, count: number): Shard[] {
  const names = input.e2eFiles
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort();
  const missing = [...PER_FLAVOR, ...BESIDE_MARIADB].filter((n) => !names.includes(n));
  if (missing.length > 0)
    throw new Error(
      `test/support/shards.ts names e2e files that do not exist: ${missing.join(', ')}`,
    );
  const path = (n: string) => `${input.e2eDir}/${n}${SUFFIX}`;
  const ordered = (list: string[]) =>
    [...list.filter((n) => n === FIRST), ...list.filter((n) => n !== FIRST)].map(path);
  if (count === 1)
    return [
      { name: 'all', flavors: [...FLAVOR_NAMES], specs: [...input.otherSpecs, ...ordered(names)] },
    ];
  if (count !== 2) throw new Error(`test shards: 1 or 2, not ${count}`);
  const second = names.filter((n) => PER_FLAVOR.includes(n) || BESIDE_MARIADB.includes(n));
  return [
    {
      name: 'MySQL flavour',
      flavors: ['mysql'],
      specs: ordered(names.filter((n) => !BESIDE_MARIADB.includes(n))),
    },
    {
      name: 'MariaDB flavour, labs of their own, unit and integration',
      flavors: ['mariadb'],
      specs: [...input.otherSpecs, ...ordered(second)],
    },
  ];
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
}

/** The last "N passed, N failed[, N skipped]" line of a process's output, if it got that far. */
export function summaryOf(output: string): Summary | undefined {
  const lines = [...output.matchAll(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm)];
  const last = lines.at(-1);
  if (!last) return undefined;
  return { passed: Number(last[1]), failed: Number(last[2]), skipped: Number(last[3] ?? 0) };
}

/**
 * The run's one summary line from each process's: a process that ended
 * without its own (a crash, a kill) counts as one failure.
 */
export function totalLine(summaries: readonly (Summary | undefined)[]): string {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const s of summaries) {
    if (!s) {
      failed += 1;
      continue;
    }
    passed += s.passed;
    failed += s.failed;
    skipped += s.skipped;
  }
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}
