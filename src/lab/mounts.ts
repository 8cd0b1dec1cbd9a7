/** Mounting and unmounting on the machine: overlays, binds, and safe removal of folders. */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { EnvironmentError } from '../core/errors';
import { run, runOk } from './exec';
import { mountsAtOrBelow, parseProcMounts, type MountEntry } from './proc-mounts';

export function readMounts(): MountEntry[] {
  return parseProcMounts(readFileSync('/proc/mounts', 'utf8'));
}

export function isMountPoint(path: string): boolean {
  return readMounts().some((m) => m.target === path);
}

/** `lower`: one folder, or several, topmost first (the image last). */
export async function mountOverlay(
  step: string,
  lower: string | readonly string[],
  upper: string,
  work: string,
  target: string,
): Promise<void> {
  const lowers = typeof lower === 'string' ? [lower] : lower;
  for (const p of [...lowers, upper, work]) {
    if (/[,:\s]/.test(p))
      throw new EnvironmentError(`overlay path "${p}" has a , : or blank`, step);
  }
  await runOk(step, 'mount', [
    '-t',
    'overlay',
    'overlay',
    '-o',
    `lowerdir=${lowers.join(':')},upperdir=${upper},workdir=${work}`,
    target,
  ]);
}

export async function bindMount(
  step: string,
  source: string,
  target: string,
  readOnly = false,
): Promise<void> {
  await runOk(step, 'mount', ['--bind', source, target]);
  if (readOnly) await runOk(step, 'mount', ['-o', 'remount,bind,ro', target]);
}

/** Unmounts `path` when it is mounted (repeatedly, for stacked mounts); lazily as a last resort. */
export async function unmount(step: string, path: string): Promise<void> {
  for (let attempt = 0; attempt < 10 && isMountPoint(path); attempt++) {
    const result = await run('umount', [path]);
    if (result.code === 0) continue;
    if (attempt >= 2) await run('umount', ['-l', path]);
    await new Promise((r) => setTimeout(r, 200));
  }
  if (isMountPoint(path)) throw new EnvironmentError(`${path} stays mounted`, step);
}

/** Unmounts everything mounted at or below `dir`, deepest first. */
export async function unmountAllBelow(step: string, dir: string): Promise<void> {
  for (const target of mountsAtOrBelow(readMounts(), dir)) await unmount(step, target);
}

/**
 * Deletes a folder tree, but only after unmounting whatever is mounted inside
 * it: a recursive delete must never reach into a bind-mounted /proc or the
 * machine's own folders.
 */
export async function removeTree(step: string, dir: string): Promise<void> {
  await unmountAllBelow(step, dir);
  if (mountsAtOrBelow(readMounts(), dir).length > 0) {
    throw new EnvironmentError(`refusing to delete ${dir}: something is still mounted in it`, step);
  }
  await rm(dir, { recursive: true, force: true });
}
