#!/usr/bin/env node
'use strict';
/**
 * Builds what the playbook deploys, into playbooks/files/site/ (or --out DIR):
 *   server.js  src/server.ts and its dependencies (mysql2) bundled into one
 *              file for Node 18+, requiring nothing but Node's built-ins;
 *   static/    a copy of site-app/static/;
 *   VERSION    sha256 of server.js and the static files.
 * Deterministic: the same sources give the same bytes (no timestamps, no
 * absolute paths), so a re-run of apply finds the hosts converged.
 *
 *   npm ci --prefix site-app && node site-app/build.js
 */
const { Buffer } = require('node:buffer');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');
const esbuild = require('esbuild');

const root = __dirname;

function parseArgs(argv) {
  const args = { out: path.join(root, '..', 'playbooks', 'files', 'site'), quiet: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) args.out = path.resolve(argv[++i]);
    else if (argv[i] === '--quiet') args.quiet = true;
    else throw new Error(`usage: node build.js [--out DIR] [--quiet] (unknown: ${argv[i]})`);
  }
  return args;
}

/** Writes a file only when its bytes differ, so an unchanged build leaves mtimes alone. */
function writeIfChanged(file, data) {
  if (fs.existsSync(file) && fs.readFileSync(file).equals(data)) return;
  fs.writeFileSync(file, data, { mode: 0o644 });
}

async function build() {
  const args = parseArgs(process.argv.slice(2));
  const started = process.hrtime.bigint();

  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/server.ts'],
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    write: false,
    outfile: 'server.js',
    minify: false,
    legalComments: 'eof',
    charset: 'utf8',
    metafile: true,
    logLevel: 'warning',
    banner: { js: '// foobar-site: built by site-app/build.js; do not edit.' },
  });

  // Nothing may stay outside the bundle but Node's built-ins: no npm on the hosts.
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const externals = new Set();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imp of input.imports) {
      if (imp.external && !builtins.has(imp.path)) externals.add(imp.path);
    }
  }
  if (externals.size) {
    throw new Error(`bundle requires modules it does not contain: ${[...externals].join(', ')}`);
  }

  const bundle = Buffer.from(result.outputFiles[0].contents);
  const staticDir = path.join(root, 'static');
  const statics = fs
    .readdirSync(staticDir)
    .filter((name) => fs.statSync(path.join(staticDir, name)).isFile())
    .sort()
    .map((name) => ({ name, data: fs.readFileSync(path.join(staticDir, name)) }));

  const hash = createHash('sha256');
  hash.update(`server.js\0${bundle.length}\0`).update(bundle);
  for (const f of statics) hash.update(`static/${f.name}\0${f.data.length}\0`).update(f.data);
  const version = `sha256:${hash.digest('hex')}\n`;

  const outStatic = path.join(args.out, 'static');
  fs.mkdirSync(outStatic, { recursive: true });
  writeIfChanged(path.join(args.out, 'server.js'), bundle);
  const keep = new Set(statics.map((f) => f.name));
  for (const name of fs.readdirSync(outStatic)) {
    if (!keep.has(name)) fs.rmSync(path.join(outStatic, name), { recursive: true });
  }
  for (const f of statics) writeIfChanged(path.join(outStatic, f.name), f.data);
  writeIfChanged(path.join(args.out, 'VERSION'), Buffer.from(version));

  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!args.quiet) {
    process.stdout.write(
      `built ${path.relative(process.cwd(), args.out) || '.'}: server.js ${bundle.length} bytes, ` +
        `${statics.length} static file(s), ${version.trim()} in ${ms.toFixed(0)} ms\n`,
    );
  }
}

build().catch((err) => {
  process.stderr.write(`site-app build failed: ${err.message}\n`);
  process.exit(1);
});
