#!/usr/bin/env node
'use strict';
// `npm test`: the suites in two mocha processes at once, each with its own
// e2e labs (test/support/shards.ts says which suites go where and why). The
// first process's output streams as it comes; the second's follows when it
// ends. The last line is the run's total, "N passed, N failed".
//
// FOOBAR_TEST_SHARDS=1 runs everything in one process, as a plain `mocha`
// does. Arguments after `npm test --` go to every mocha process.
const { Buffer } = require('node:buffer');
const { spawn } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const { planShards, shardInput, summaryOf, totalLine } = require(
  path.join(ROOT, 'dist/test/support/shards.js'),
);

const MOCHA = require.resolve('mocha/bin/mocha.js', { paths: [ROOT] });

function runShard(shard, index, live, children) {
  const started = Date.now();
  const child = spawn(process.execPath, [MOCHA, ...process.argv.slice(2)], {
    cwd: ROOT,
    env: {
      ...process.env,
      FOOBAR_TEST_SPEC: JSON.stringify(shard.specs),
      FOOBAR_E2E_FLAVORS: shard.flavors.join(','),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const chunks = [];
  const take = (stream) => (chunk) => {
    chunks.push(chunk);
    if (live) stream.write(chunk);
  };
  child.stdout.on('data', take(process.stdout));
  child.stderr.on('data', take(process.stderr));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const output = Buffer.concat(chunks).toString('utf8');
      resolve({ shard, index, code, signal, output, ms: Date.now() - started });
    });
    child.on('error', (error) => {
      resolve({ shard, index, code: 1, signal: null, output: String(error), ms: 0 });
    });
  });
}

async function main() {
  const count = Number(process.env.FOOBAR_TEST_SHARDS ?? '2');
  const shards = planShards(shardInput(ROOT), count);
  const children = [];
  // Ctrl-C reaches the children through the terminal, and this process waits
  // for them; a kill of this process is passed on. Either way each child
  // takes its labs down before it ends (test/support/root-hooks.ts).
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP'])
    process.on(signal, () => {
      for (const c of children) c.kill(signal);
    });
  const results = await Promise.all(
    shards.map((shard, i) => runShard(shard, i, i === 0, children)),
  );
  for (const r of results.slice(1)) {
    process.stdout.write(
      `\n==> test process ${r.index + 1} of ${results.length}: ${r.shard.name}\n`,
    );
    process.stdout.write(r.output);
  }
  if (results.length > 1) {
    process.stdout.write('\n');
    for (const r of results) {
      const s = summaryOf(r.output);
      const how = s
        ? totalLine([s])
        : `no summary (exit ${r.code}${r.signal ? `, ${r.signal}` : ''})`;
      process.stdout.write(
        `test process ${r.index + 1} (${r.shard.name}): ${how} in ${(r.ms / 1000).toFixed(0)} s\n`,
      );
    }
  }
  process.stdout.write(`\n${totalLine(results.map((r) => summaryOf(r.output)))}\n`);
  process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
