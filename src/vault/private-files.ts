import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { replaceFile } from '../core/atomic-file';

/** Writes a file atomically with mode 600 (see replaceFile). */
export function writePrivateAtomically(file: string, text: string): void {
  replaceFile(file, text, 0o600);
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
