/**
 * A lock file holding the owner's pid and process start time. A lock whose
 * owner is gone (crash, Ctrl-C, reboot) is taken over.
 */
import { openSync, writeSync, closeSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EnvironmentError } from '../core/errors';
import { isSameProcessAlive, recordProcess, sleep, type ProcessRecord } from './processes';

function readOwner(path: string): ProcessRecord | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ProcessRecord;
  } catch {
    return undefined;
  }
}

function tryAcquire(path: string): boolean {
  try {
    const fd = openSync(path, 'wx', 0o644);
    writeSync(fd, JSON.stringify(recordProcess(process.pid)));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}

/**
 * Runs `fn` holding the lock at `path`, waiting up to `waitMs` for another
 * live owner; `onWait` is told once who holds it.
 */
export async function withLock<T>(
  path: string,
  what: string,
  fn: () => Promise<T>,
  options: { waitMs?: number; onWait?: (line: string) => void } = {},
): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + (options.waitMs ?? 0);
  let told = false;
  for (;;) {
    if (tryAcquire(path)) break;
    const owner = readOwner(path);
    if (owner?.pid === process.pid) {
      throw new EnvironmentError(`${what} is already locked by this process`, 'lock');
    }
    if (!isSameProcessAlive(owner)) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new EnvironmentError(
        `${what} is in use by process ${owner?.pid} (lock ${path})`,
        'lock',
      );
    }
    if (!told) options.onWait?.(`waiting for process ${owner?.pid}, which is working on ${what}`);
    told = true;
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}
