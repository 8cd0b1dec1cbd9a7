/**
 * Writing files inside a host's or image's root folder from the machine. Paths
 * are resolved so that a symbolic link in the image can never send a write
 * outside the root (an absolute link would otherwise point into the machine).
 */
import { lstat, mkdir, realpath, rm, writeFile, chmod, chown, readFile } from 'node:fs/promises';
import { dirname, join, relative, isAbsolute } from 'node:path';
import { EnvironmentError } from '../core/errors';

export interface WriteOptions {
  mode?: number;
  uid?: number;
  gid?: number;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The real folder for `dir` (relative to root), created if needed, checked to stay inside. */
async function safeDir(step: string, root: string, dir: string): Promise<string> {
  const realRoot = await realpath(root);
  const wanted = join(realRoot, dir);
  // Check the deepest existing ancestor before creating anything below it.
  let existing = wanted;
  while (!(await lstat(existing).catch(() => undefined))) existing = dirname(existing);
  const realExisting = await realpath(existing);
  if (!inside(realRoot, realExisting)) {
    throw new EnvironmentError(
      `${dir} in ${root} leads outside the root (to ${realExisting})`,
      step,
    );
  }
  await mkdir(wanted, { recursive: true });
  const real = await realpath(wanted);
  if (!inside(realRoot, real)) {
    throw new EnvironmentError(`${dir} in ${root} leads outside the root (to ${real})`, step);
  }
  return real;
}

/** Writes `content` to `path` (absolute, as seen inside the root), replacing a link or file. */
export async function writeInRoot(
  step: string,
  root: string,
  path: string,
  content: string | Buffer,
  options: WriteOptions = {},
): Promise<void> {
  const dir = await safeDir(step, root, dirname(path));
  const target = join(dir, path.split('/').pop()!);
  const existing = await lstat(target).catch(() => undefined);
  if (existing && !existing.isFile()) await rm(target, { recursive: true, force: true });
  else if (existing) await rm(target, { force: true });
  await writeFile(target, content, { mode: options.mode ?? 0o644 });
  await chmod(target, options.mode ?? 0o644);
  if (options.uid !== undefined) await chown(target, options.uid, options.gid ?? options.uid);
}

/** Creates a folder inside the root with the given owner and mode. */
export async function makeDirInRoot(
  step: string,
  root: string,
  path: string,
  options: WriteOptions = {},
): Promise<void> {
  const dir = await safeDir(step, root, path);
  if (options.mode !== undefined) await chmod(dir, options.mode);
  if (options.uid !== undefined) await chown(dir, options.uid, options.gid ?? options.uid);
}

/** Removes files inside the root (links are removed, never followed). */
export async function removeInRoot(
  step: string,
  root: string,
  paths: readonly string[],
): Promise<void> {
  for (const path of paths) {
    const dir = await safeDir(step, root, dirname(path)).catch(() => undefined);
    if (!dir) continue;
    await rm(join(dir, path.split('/').pop()!), { recursive: true, force: true });
  }
}

/** Reads a text file inside the root, or undefined when it is missing. */
export async function readInRoot(root: string, path: string): Promise<string | undefined> {
  const realRoot = await realpath(root);
  const real = await realpath(join(realRoot, path)).catch(() => undefined);
  if (!real || !inside(realRoot, real)) return undefined;
  return readFile(real, 'utf8').catch(() => undefined);
}

/** A user's uid, gid and home from the root's /etc/passwd. */
export async function lookupUser(
  root: string,
  user: string,
): Promise<{ uid: number; gid: number; home: string } | undefined> {
  const passwd = (await readInRoot(root, '/etc/passwd')) ?? '';
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === user && fields.length >= 7) {
      return { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] };
    }
  }
  return undefined;
}
