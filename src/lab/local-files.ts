/** Small file helpers for the lab's own folders on the machine. */
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { replaceFile } from '../core/atomic-file';

/**
 * Writes a lab file atomically with the tool's one writer (replaceFile: an
 * exclusive temp file with a random name, flushed, renamed, the folder
 * flushed), then gives it exactly `mode`: the umask can only have taken bits
 * away, so the file was never more open than asked.
 */
export function writeFileAtomic(path: string, content: string | Buffer, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  replaceFile(path, content, mode);
  chmodSync(path, mode);
}

export function ensureDir(path: string, mode = 0o755): void {
  mkdirSync(path, { recursive: true, mode });
}
