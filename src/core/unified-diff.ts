/** How one line of a diff is shown: its text, given the side it comes from. */
export type LinePresenter = (text: string, op: DiffOp) => string;

/** ' ' context, '-' only in the old text, '+' only in the new one. */
export type DiffOp = '=' | '-' | '+';

/**
 * Unified diff of two texts (line-based, Myers' algorithm), with 3 lines of
 * context, in the format `diff -u` prints.
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
 */
export function diffHunks(
  before: string,
  after: string,
  options: { context?: number; show?: LinePresenter } = {},
): string[] {
  const context = options.context ?? 3;
  const show = options.show ?? ((text: string) => text);
  const ops = diffLines(splitLines(before), splitLines(after));
  if (ops.every((o) => o.op === '=')) return [];
  const out: string[] = [];
  // Group operations into hunks separated by more than 2*context equal lines.
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i]!.op === '=') i++;
    if (i >= ops.length) break;
    const start = Math.max(0, i - context);
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end]!.op !== '=') end++;
      let run = end;
      while (run < ops.length && ops[run]!.op === '=') run++;
      if (run < ops.length && run - end <= 2 * context) end = run;
      else {
        end = Math.min(ops.length, end + context);
        break;
      }
    }
    const hunk = ops.slice(start, end);
    const aStart = hunk[0]!.a;
    const bStart = hunk[0]!.b;
    const aLen = hunk.filter((o) => o.op !== '+').length;
    const bLen = hunk.filter((o) => o.op !== '-').length;
    out.push(`@@ -${range(aStart, aLen)} +${range(bStart, bLen)} @@`);
    for (const o of hunk) {
      const last = o.text.endsWith(NO_EOL);
      const text = last ? o.text.slice(0, -NO_EOL.length) : o.text;
      out.push(`${o.op === '=' ? ' ' : o.op}${show(text, o.op)}`);
      if (last) out.push('\\ No newline at end of file');
    }
    i = end;
  }
  return out;
}

interface Op {
  op: DiffOp;
  text: string;
  /** Index in a (for = and -) or the a-position before which a + goes. */
  a: number;
  b: number;
}

/** Marks a last line without a final newline, so that it differs from the same line with one. */
const NO_EOL = '\u0000no-eol';

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}

/** A hunk range as `diff -u` writes it: `start,length`, or `start` alone for one line. */
function range(start: number, length: number): string {
  if (length === 0) return `${start},0`;
  return length === 1 ? `${start + 1}` : `${start + 1},${length}`;
}

/** Myers' O(ND) shortest edit script. */
function diffLines(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Map<number, number>([[1, 0]]);
  const trace: Map<number, number>[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v.get(k - 1) ?? -1) < (v.get(k + 1) ?? -1))
          ? v.get(k + 1)!
          : v.get(k - 1)! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v.set(k, x);
      if (x >= n && y >= m) break outer;
    }
  }
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK =
      k === -d || (k !== d && (vd.get(k - 1) ?? -1) < (vd.get(k + 1) ?? -1)) ? k + 1 : k - 1;
    const prevX = vd.get(prevK) ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ op: '=', text: a[x]!, a: x, b: y });
    }
    if (d > 0) {
      if (x === prevX) {
        y--;
        ops.push({ op: '+', text: b[y]!, a: x, b: y });
      } else {
        x--;
        ops.push({ op: '-', text: a[x]!, a: x, b: y });
      }
    }
  }
  return ops.reverse();
}
