'use strict';
// Unit and integration tests always run; the e2e suite (real lab hosts) is
// included too, and decides for itself whether it can run (see test/e2e/hooks).
//
// The e2e files run in name order, except the site suite, which runs first:
// its first apply to bare hosts is kept as each lab's checkpoint `site`
// (test/support/lab.ts keepAsSite), which the later suites restore instead
// of making their own. Only a speed-up: in any order every suite passes.
//
// `npm test` (scripts/test.js) runs the suites in two processes at once and
// gives each its own list; a plain `mocha` runs all in one. Both lists come
// from test/support/shards.ts (before a build, the globs alone).
const fs = require('node:fs');
const path = require('node:path');

const SHARDS = path.join(__dirname, 'dist/test/support/shards.js');

function allSpecs() {
  if (!fs.existsSync(SHARDS))
    return [
      'dist/test/unit/**/*.test.js',
      'dist/test/integration/**/*.test.js',
      'dist/test/e2e/**/*.test.js',
    ];
  const { planShards, shardInput } = require(SHARDS);
  return planShards(shardInput(__dirname), 1)[0].specs;
}

const shard = process.env.FOOBAR_TEST_SPEC;

module.exports = {
  spec: shard ? JSON.parse(shard) : allSpecs(),
  require: ['dist/test/support/root-hooks.js'],
  reporter: 'test/support/reporter.js',
  timeout: 20000,
  slow: 2000,
};
