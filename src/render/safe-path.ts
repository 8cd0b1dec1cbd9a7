import * as path from 'node:path';

/**
 * Joins a relative path onto a root and refuses anything that leaves it
 * (`..`, absolute paths). Templates and copied files never come from outside
 * their folder.
 */
export function resolveInside(root: string, relative: string): string | undefined {
  if (relative === '' || path.isAbsolute(relative) || relative.includes('\0')) return undefined;
  const full = path.resolve(root, relative);
  const rel = path.relative(root, full);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return full;
}
