#!/usr/bin/env node
'use strict';
// Makes a fresh clone runnable: installs the locked dependencies when they are
// missing or older than package-lock.json, then compiles the TypeScript.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
const stale = !fs.existsSync(marker) || fs.statSync(marker).mtimeMs < fs.statSync(lock).mtimeMs;
const run = (cmd, args) => {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
  } catch (error) {
    // The command already printed why; exit with its status, without a stack.
    process.stderr.write(`foobar-infra: ${[cmd, ...args].join(' ')} failed\n`);
    process.exit(typeof error.status === 'number' ? error.status : 1);
  }
};

if (stale) {
  process.stderr.write('foobar-infra: installing dependencies (npm ci)\n');
  run('npm', ['ci', '--no-audit', '--no-fund']);
} else {
  run(process.execPath, [
    path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    'tsconfig.json',
  ]);
  run(process.execPath, [path.join(root, 'scripts', 'build-site.js')]);
}
