#!/usr/bin/env node
'use strict';
// Regenerates the docs made from the code (docs/modules.md,
// docs/troubleshooting.md) from the compiled sources: `npm run docs`.
// Each file is written atomically, and only when its content changed.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { generatedDocs } = require(path.join(root, 'dist', 'tools', 'docs', 'generate.js'));
const { replaceFile } = require(path.join(root, 'dist', 'src', 'core', 'atomic-file.js'));

generatedDocs(root).then(
  (docs) => {
    for (const doc of docs) {
      const target = path.join(root, doc.file);
      const now = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
      if (now === doc.content) {
        process.stdout.write(`${doc.file}: up to date\n`);
        continue;
      }
      replaceFile(target, doc.content, 0o644);
      process.stdout.write(`${doc.file}: written\n`);
    }
  },
  (error) => {
    process.stderr.write(`docs: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
