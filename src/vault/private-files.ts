import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Writes a file atomically with mode 600: a temp file beside it, flushed to
 * disk, then renamed over it. Either the old content or the new one is there,
 * never a mix; the temp file is removed when anything fails.
 */
export function writePrivateAtomically(file: string, text: string): void {
  const target = path.resolve(file);
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`,
  );
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', 0o600);
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  syncFolder(path.dirname(target));
}

function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Not every file system lets a folder be flushed; the rename is done either way.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * A private folder (mode 700) for plaintext: in /dev/shm when there is one
 * (memory, never on disk), else the system's temp folder.
 */
export function privateFolder(prefix: string): string {
  const base = isWritableFolder('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const dir = fs.mkdtempSync(path.join(base, prefix));
  fs.chmodSync(dir, 0o700);
  return dir;
}

function isWritableFolder(dir: string): boolean {
  try {
    if (!fs.statSync(dir).isDirectory()) return false;
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Overwrites a file with random bytes of its length, flushes it, and unlinks it. */
export function shredFile(file: string): void {
  const size = fs.lstatSync(file).size;
  const fd = fs.openSync(file, 'r+');
  try {
    for (let done = 0; done < size;) {
      const chunk = crypto.randomBytes(Math.min(size - done, 1 << 16));
      done += fs.writeSync(fd, chunk, 0, chunk.length, done);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.unlinkSync(file);
}

/**
 * Shreds every regular file under a folder (an editor's swap and backup
 * files too), then removes the folder.
 */
export function shredFolder(dir: string): void {
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    // Gone already.
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    try {
      if (entry.isDirectory()) shredFolder(full);
      else if (entry.isFile()) shredFile(full);
    } catch {
      // Removed below in any case.
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
