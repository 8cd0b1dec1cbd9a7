'use strict';
// Unit and integration tests always run; the e2e suite (real lab hosts) is
// included too, and decides for itself whether it can run (see test/e2e/hooks).
//
// The e2e files run in name order, except the site suite, which runs first:
// its first apply to bare hosts is kept as each lab's checkpoint `site`
// (test/support/lab.ts keepAsSite), which the later suites restore instead
// of making their own. Only a speed-up: in any order every suite passes.
const fs = require('node:fs');
const path = require('node:path');

const E2E = 'dist/test/e2e';
const FIRST = `${E2E}/site.test.js`;

function e2eFiles() {
  if (!fs.existsSync(FIRST)) return [`${E2E}/**/*.test.js`];
  const all = fs
    .readdirSync(E2E, { recursive: true })
    .map((f) => path.posix.join(E2E, f.split(path.sep).join('/')))
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  return [FIRST, ...all.filter((f) => f !== FIRST)];
}

// `npm test` (scripts/test.js) runs the suites in two processes at once and
// gives each its own list (test/support/shards.ts); a plain `mocha` runs all.
const shard = process.env.FOOBAR_TEST_SPEC;

module.exports = {
  spec: shard
    ? JSON.parse(shard)
    : ['dist/test/unit/**/*.test.js', 'dist/test/integration/**/*.test.js', ...e2eFiles()],
  require: ['dist/test/support/root-hooks.js'],
  reporter: 'test/support/reporter.js',
  timeout: 20000,
  slow: 2000,
};
