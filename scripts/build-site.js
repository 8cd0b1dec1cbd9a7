#!/usr/bin/env node
'use strict';
// Builds the site's application into playbooks/files/site (the code base the
// playbook deploys): installs site-app's locked dependencies when they are
// missing or stale, then bundles. The output is not kept in git.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const app = path.join(root, 'site-app');
const marker = path.join(app, 'node_modules', '.package-lock.json');
const lock = path.join(app, 'package-lock.json');
const run = (cmd, args) => {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    process.stderr.write(`foobar-infra: ${[cmd, ...args].join(' ')} failed\n`);
    process.exit(typeof error.status === 'number' ? error.status : 1);
  }
};

if (!fs.existsSync(marker) || fs.statSync(marker).mtimeMs < fs.statSync(lock).mtimeMs) {
  run('npm', ['ci', '--prefix', app, '--no-audit', '--no-fund']);
}
run(process.execPath, [path.join(app, 'build.js')]);
