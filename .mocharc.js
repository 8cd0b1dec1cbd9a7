'use strict';
// Unit and integration tests always run; the e2e suite (real lab hosts) is
// included too, and decides for itself whether it can run (see test/e2e/hooks).
module.exports = {
  spec: [
    'dist/test/unit/**/*.test.js',
    'dist/test/integration/**/*.test.js',
    'dist/test/e2e/**/*.test.js',
  ],
  require: ['dist/test/support/root-hooks.js'],
  reporter: 'test/support/reporter.js',
  timeout: 20000,
  slow: 2000,
};
