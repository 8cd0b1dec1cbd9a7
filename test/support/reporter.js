'use strict';
// Mocha's spec reporter, closed by the one summary line CI reads:
// "N passed, N failed" (", N skipped" when any were skipped). Before it, the
// slowest tests and suites (wall time, hooks included for suites), so that
// where CI's time goes is in every run's output.
const Mocha = require('mocha');

const SLOWEST = 10;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const tests = [];
    const suites = [];
    const started = new Map();
    runner.on('suite', (suite) => started.set(suite, Date.now()));
    runner.on('suite end', (suite) => {
      const at = started.get(suite);
      // Only suites of a file's top level: nested ones are inside their parent's time.
      if (at !== undefined && suite.parent && suite.parent.root)
        suites.push({ title: suite.fullTitle(), ms: Date.now() - at });
    });
    runner.on('test end', (test) => {
      if (typeof test.duration === 'number')
        tests.push({ title: test.fullTitle(), ms: test.duration });
    });
    runner.once('end', () => {
      const top = (list) =>
        list
          .sort((a, b) => b.ms - a.ms)
          .slice(0, SLOWEST)
          .map((x) => `  ${(x.ms / 1000).toFixed(1).padStart(6)} s  ${x.title}`)
          .join('\n');
      process.stdout.write(`\nslowest suites (with their hooks):\n${top(suites)}\n`);
      process.stdout.write(`slowest tests:\n${top(tests)}\n`);
      const { passes, failures, pending } = runner.stats;
      const skipped = pending > 0 ? `, ${pending} skipped` : '';
      process.stdout.write(`\n${passes} passed, ${failures} failed${skipped}\n`);
    });
  }
}

module.exports = SummaryReporter;
