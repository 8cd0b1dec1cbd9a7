import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Joins a relative path onto a root and refuses anything that leaves it
 * (`..`, absolute paths, symbolic links that point out). Templates and
 * copied files never come from outside their folder.
 */
export function resolveInside(root: string, relative: string): string | undefined {
  if (relative === '' || path.isAbsolute(relative) || relative.includes('\0')) return undefined;
  const full = path.resolve(root, relative);
  if (!isInside(root, full)) return undefined;
  // A symbolic link inside the folder must not lead out of it either.
  let real: string;
  try {
    real = fs.realpathSync(full);
  } catch {
    return full; // absent: the caller reports it
  }
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    return undefined;
  }
  return isInside(realRoot, real) ? full : undefined;
}

function isInside(root: string, full: string): boolean {
  const rel = path.relative(root, full);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
