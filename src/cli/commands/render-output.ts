import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceFile } from '../../core/atomic-file';
import { UsageError } from '../../core/errors';

/** The file a render leaves in its folder: what it wrote, so the next render replaces only that. */
export const RENDER_MANIFEST = '.foobar-render-manifest.json';
const STAGING_PREFIX = '.foobar-render-staging-';

/** One file to write: a path relative to the output folder, and its content. */
export interface OutputFile {
  path: string;
  content: string | Buffer;
}

interface Manifest {
  tool: 'foobar-infra render';
  version: 1;
  files: string[];
}

/**
 * Writes a render into `out` without ever deleting a file the tool did not
 * write. A new or empty folder is filled; a folder with an earlier render's
 * manifest has exactly the files that manifest lists replaced; any other
 * non-empty folder (a project, a home folder, `.`) is refused.
 *
 * Nothing is half-written: every file is first written into a staging folder
 * inside `out` (the same file system), then each is renamed into place, an
 * atomic swap per file. Before the swap the manifest lists old and new files
 * alike, so a run that dies in the middle leaves a folder the next render
 * still recognises and finishes.
 */
export function writeRenderOutput(out: string, files: OutputFile[], option = '--out'): void {
  const dir = path.resolve(out);
  const fail = (why: string): never => {
    throw new UsageError(`${option} ${out}: ${why}`);
  };
  const earlier = earlierFiles(dir, fail);
  const wanted = new Set(files.map((f) => normalise(f.path, fail)));
  for (const rel of wanted) {
    const target = path.join(dir, rel);
    if (!earlier.has(rel) && fs.existsSync(target))
      fail(`${rel} is already there and no earlier render wrote it; refusing to replace it`);
  }
  const staging = path.join(
    dir,
    `${STAGING_PREFIX}${process.pid}-${crypto.randomBytes(4).toString('hex')}`,
  );
  try {
    fs.mkdirSync(staging, { recursive: true });
    for (const f of files) {
      const target = path.join(staging, normalise(f.path, fail));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, f.content);
    }
    writeManifest(dir, [...new Set([...earlier, ...wanted])]);
    for (const rel of wanted) {
      const target = path.join(dir, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.renameSync(path.join(staging, rel), target);
    }
    for (const rel of earlier) if (!wanted.has(rel)) removeWritten(dir, rel);
    writeManifest(dir, [...wanted]);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    fail(`cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** The files an earlier render wrote into `dir`; empty for a new or empty folder. Refuses any other. */
function earlierFiles(dir: string, fail: (why: string) => never): Set<string> {
  let entries: string[];
  try {
    if (!fs.statSync(dir).isDirectory()) fail('it is a file, not a folder');
    entries = fs.readdirSync(dir);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    return fail(`cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const own = entries.filter((e) => e !== RENDER_MANIFEST && !e.startsWith(STAGING_PREFIX));
  if (!entries.includes(RENDER_MANIFEST)) {
    if (own.length === 0) return new Set();
    return fail(
      `the folder is not empty and no earlier render wrote it (no ${RENDER_MANIFEST}); refusing to write into it, as that could replace files that are not the tool's. Choose a new or empty folder`,
    );
  }
  // Staging folders a killed run left behind are the tool's own.
  for (const e of entries)
    if (e.startsWith(STAGING_PREFIX))
      fs.rmSync(path.join(dir, e), { recursive: true, force: true });
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, RENDER_MANIFEST), 'utf8')) as Manifest;
  } catch {
    return fail(
      `${RENDER_MANIFEST} cannot be read; remove the folder's rendered files by hand, or choose a new folder`,
    );
  }
  if (manifest?.tool !== 'foobar-infra render' || !Array.isArray(manifest.files))
    return fail(`${RENDER_MANIFEST} is not a manifest this version wrote; choose a new folder`);
  return new Set(manifest.files.map((f) => normalise(String(f), fail)));
}

/** A relative path that stays inside the folder, with forward slashes. */
function normalise(rel: string, fail: (why: string) => never): string {
  const clean = path.posix.normalize(rel.replace(/\\/g, '/'));
  if (
    clean === '.' ||
    clean.startsWith('../') ||
    clean === '..' ||
    path.posix.isAbsolute(clean) ||
    clean.includes('\0')
  )
    return fail(`the path ${JSON.stringify(rel)} leaves the folder; refusing it`);
  return clean;
}

function writeManifest(dir: string, files: string[]): void {
  const manifest: Manifest = { tool: 'foobar-infra render', version: 1, files: files.sort() };
  replaceFile(path.join(dir, RENDER_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, 0o644);
}

/** Removes a file an earlier render wrote, and the folders it leaves empty (never `dir` itself). */
function removeWritten(dir: string, rel: string): void {
  const target = path.join(dir, rel);
  const stat = fs.lstatSync(target, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) fs.rmSync(target, { force: true });
  for (
    let parent = path.dirname(target);
    parent !== dir && parent.startsWith(dir);
    parent = path.dirname(parent)
  ) {
    try {
      fs.rmdirSync(parent);
    } catch {
      break; // not empty: other files, the tool's or not, stay
    }
  }
}
