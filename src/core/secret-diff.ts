import { maskCredentialLine, privateKeyLines } from './live-secrets';
import { MASK } from './redact';
import { diffHunks, type DiffOp } from './unified-diff';

/** A file's diff as it may be shown: every secret replaced by the mask. */
export interface FileDiff {
  /** `@@` hunks; a single explanatory line for binary or very large content. */
  hunks: string[];
  /** True when at least one shown line had a secret (or a likely old secret) masked. */
  masked: boolean;
}

/** Beyond these sizes a diff is summarised, not computed (Myers is O(ND)). */
const MAX_DIFF_BYTES = 512 * 1024;
const MAX_DIFF_LINES = 20_000;

/**
 * The diff of a file between its content on the host and the planned one,
 * safe to print:
 * - current secret values (known to `redact`) are masked on every line;
 * - a removed line is the old file's: it may hold an old secret the run does
 *   not know. Where it has the shape of a planned line that carries a secret
 *   (`DB_PASSWORD=…` before and after a rotation), the same parts are masked;
 *   where it names a credential, its value is masked; a line of a private
 *   key in the old file is masked whole.
 * The diff is computed on the real lines, so a line whose only change is a
 * secret still shows as `-…********` / `+…********`.
 */
export function maskedFileDiff(
  before: Buffer | undefined,
  after: Buffer,
  redact: (text: string) => string,
  /** What the file is, when its content must never be shown (not even masked). */
  conceal?: string,
): FileDiff {
  if (conceal) return { hunks: [`@@ content not shown: ${conceal} @@`], masked: true };
  const summary = summarise(before, after);
  if (summary) return { hunks: [summary], masked: false };
  const beforeText = before?.toString('utf8') ?? '';
  const afterText = after.toString('utf8');
  const shapes = secretShapes(afterText, redact);
  const oldKeyLines = privateKeyLines(beforeText);
  let masked = false;
  const show = (line: string, op: DiffOp): string => {
    const shown = op === '-' ? maskRemoved(line, shapes, redact, oldKeyLines) : redact(line);
    if (shown !== line) masked = true;
    return shown;
  };
  const hunks = diffHunks(beforeText, afterText, { show });
  return { hunks, masked };
}

/** A one-line description instead of a diff, for binary or very large content. */
function summarise(before: Buffer | undefined, after: Buffer): string | undefined {
  const size = (b: Buffer | undefined) => (b ? `${b.length} bytes` : 'absent');
  if (isBinary(after) || (before && isBinary(before)))
    return `@@ binary content differs: ${size(before)} -> ${size(after)} @@`;
  const lines = (b: Buffer | undefined) => (b ? countLines(b) : 0);
  if (
    after.length + (before?.length ?? 0) > MAX_DIFF_BYTES ||
    lines(before) + lines(after) > MAX_DIFF_LINES
  )
    return `@@ content differs: ${size(before)} -> ${size(after)}, too large to show @@`;
  return undefined;
}

function isBinary(b: Buffer): boolean {
  return b.subarray(0, 8192).includes(0);
}

function countLines(b: Buffer): number {
  let n = 0;
  for (const byte of b) if (byte === 10) n++;
  return n;
}

/**
 * For each planned line that carries a secret: a pattern of the line whose
 * odd groups are its literal text and even groups the secret parts.
 */
function secretShapes(after: string, redact: (text: string) => string): RegExp[] {
  const shapes = new Map<string, RegExp>();
  for (const line of after.split('\n')) {
    const shown = redact(line);
    if (shown === line || shapes.has(shown)) continue;
    const literal = shown.split(MASK).map((part) => `(${escapeRegExp(part)})`);
    shapes.set(shown, new RegExp(`^${literal.join('(.+?)')}$`));
  }
  return [...shapes.values()];
}

function maskRemoved(
  line: string,
  shapes: RegExp[],
  redact: (text: string) => string,
  oldKeyLines: ReadonlySet<string>,
): string {
  if (oldKeyLines.has(line)) return MASK;
  const known = redact(line);
  for (const shape of shapes) {
    const m = shape.exec(known);
    if (!m) continue;
    // Keep the literal groups, mask the secret ones.
    return m
      .slice(1)
      .map((part, i) => (i % 2 === 0 ? part : MASK))
      .join('');
  }
  return maskCredentialLine(known);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
