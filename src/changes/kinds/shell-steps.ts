/** Shell helpers the change kinds share. Pure: text only. */

/** Exit code of a change script whose `validate` command refused the candidate. */
export const VALIDATION_FAILED = 65;

/** Steps that only change the host (nothing to prepare). */
export const commitOnly = (...commit: string[]) => ({ prepare: [], commit });

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
