import { structuredPatch } from 'diff';

/** How one line of a diff is shown: its text, given the side it comes from. */
export type LinePresenter = (text: string, op: DiffOp) => string;

/** ' ' context, '-' only in the old text, '+' only in the new one. */
export type DiffOp = '=' | '-' | '+';

/**
 * Unified diff of two texts (line-based), with 3 lines of context, in the
 * format `diff -u` prints.
 */
export function unifiedDiff(
  before: string,
  after: string,
  labelA: string,
  labelB: string,
  context = 3,
): string {
  const hunks = diffHunks(before, after, { context });
  if (hunks.length === 0) return '';
  return `${[`--- ${labelA}`, `+++ ${labelB}`, ...hunks].join('\n')}\n`;
}

/**
 * The hunks of a unified diff (`@@` headers and their lines), without the
 * `---`/`+++` labels; empty when the texts are equal. `show` decides how each
 * line is printed (e.g. with secrets masked); the diff itself is computed on
 * the real lines, so a line whose only change is hidden still shows as changed.
 *
 * The edit script and the hunks are jsdiff's (`structuredPatch`, Myers'
 * algorithm); the headers are written as `diff -u` writes them (`-5` for one
 * line, `-0,0` for an empty side), which jsdiff's own formatter does not.
 */
export function diffHunks(
  before: string,
  after: string,
  options: { context?: number; show?: LinePresenter } = {},
): string[] {
  if (before === after) return [];
  const show = options.show ?? ((text: string) => text);
  const patch = structuredPatch('a', 'b', before, after, undefined, undefined, {
    context: options.context ?? 3,
  });
  const out: string[] = [];
  for (const h of patch.hunks) {
    out.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`);
    for (const line of h.lines) {
      const mark = line[0];
      if (mark === '\\') out.push(line);
      else out.push(`${mark}${show(line.slice(1), mark === ' ' ? '=' : (mark as DiffOp))}`);
    }
  }
  return out;
}

/**
 * A hunk range as `diff -u` writes it: `start,length`, or `start` alone for
 * one line; an empty range names the line before it (0 at the top).
 */
function range(start: number, length: number): string {
  if (length === 0) return `${start - 1},0`;
  return length === 1 ? `${start}` : `${start},${length}`;
}
