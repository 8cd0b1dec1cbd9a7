import * as fs from 'node:fs';
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import type { ZodError } from 'zod';
import type { Diagnostic } from './errors';
import { didYouMean } from './suggest';

export type PathSegment = string | number;

/** A parsed YAML file that can say where any value or key stands. */
export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The plain data (maps → objects, sequences → arrays). */
  data: unknown;
}

/** Reads a file as text, turning every way that can fail into a diagnostic. */
export function readSourceFile(file: string): { text?: string; diagnostics: Diagnostic[] } {
  const fail = (message: string) => ({
    diagnostics: [{ severity: 'error' as const, file, message }],
  });
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})`,
    );
  }
  if (stat.isDirectory()) return fail('is a directory, expected a YAML file');
  try {
    return { text: fs.readFileSync(file, 'utf8'), diagnostics: [] };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      code === 'EACCES' ? 'permission denied' : `cannot read file (${code ?? String(error)})`,
    );
  }
}

const YAML_MESSAGES: Record<string, string> = {
  TAB_AS_INDENT: 'tab character used for indentation; YAML indents with spaces only',
  DUPLICATE_KEY: 'duplicate key',
};

/** Parses YAML text; syntax errors come back as positioned diagnostics. */
export function parseYaml(
  file: string,
  text: string,
): { source?: YamlSource; diagnostics: Diagnostic[] } {
  if (text.trim() === '' || /^(\s*#.*\n?)*\s*$/.test(text)) {
    return {
      diagnostics: [{ severity: 'error', file, line: 1, col: 1, message: 'file is empty' }],
    };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
  });
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const pos = lines.linePos(e.pos[0]);
    const first = e.message.split('\n')[0] ?? e.message;
    const detail =
      YAML_MESSAGES[e.code] ??
      `YAML syntax error: ${first.replace(/ at line \d+, column \d+:?$/, '')}`;
    const key = e.code === 'DUPLICATE_KEY' ? duplicateKeyName(text, e.pos[0]) : undefined;
    diagnostics.push({
      severity: 'error',
      file,
      line: pos.line,
      col: pos.col,
      message: key ? `${detail} "${key}"` : detail,
    });
  }
  if (diagnostics.length > 0) return { diagnostics };
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  return { source: { file, doc, lines, data }, diagnostics };
}

function duplicateKeyName(text: string, offset: number): string | undefined {
  const match = /^\s*"?([^":\n]+?)"?\s*:/.exec(
    text.slice(offset, text.indexOf('\n', offset) >>> 0),
  );
  return match?.[1];
}

/** Line and column of the value (or, with `key`, the key) at `path`; the nearest ancestor if absent. */
export function positionOf(
  source: YamlSource,
  path: readonly PathSegment[],
  opts: { key?: boolean } = {},
): { line: number; col: number } {
  let node: unknown = source.doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) break;
      const isLast = i === path.length - 1;
      const keyStart = rangeStart(pair.key);
      if (isLast && opts.key && keyStart !== undefined) {
        offset = keyStart;
        break;
      }
      node = pair.value;
      offset = rangeStart(pair.value) ?? keyStart ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      node = item;
      offset = rangeStart(item) ?? offset;
    } else {
      break;
    }
  }
  return source.lines.linePos(offset);
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

export function fieldName(path: readonly PathSegment[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : p))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** A diagnostic for the value (or key) at `path`. */
export function diagnosticAt(
  source: YamlSource,
  path: readonly PathSegment[],
  message: string,
  opts: { key?: boolean; severity?: 'error' | 'warning' } = {},
): Diagnostic {
  const pos = positionOf(source, path, opts);
  return {
    severity: opts.severity ?? 'error',
    file: source.file,
    line: pos.line,
    col: pos.col,
    field: fieldName(path),
    message,
  };
}

/** Turns zod issues found under `base` into positioned diagnostics. */
export function zodDiagnostics(
  source: YamlSource,
  base: readonly PathSegment[],
  error: ZodError,
  knownKeys: (path: readonly PathSegment[]) => Iterable<string> = () => [],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of error.issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push(
          diagnosticAt(source, [...path, key], `unknown field${didYouMean(key, knownKeys(path))}`, {
            key: true,
          }),
        );
      }
      continue;
    }
    out.push(diagnosticAt(source, path, describeIssue(issue, valueAt(source.data, path))));
  }
  return out;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function describeIssue(issue: ZodError['issues'][number], input: unknown): string {
  if (issue.code === 'invalid_type') {
    const expected = issue.expected;
    if (input === undefined) return `required (expected ${expected})`;
    return `expected ${expected}, got ${typeOf(input)}`;
  }
  if (issue.code === 'invalid_union') return 'not one of the accepted forms';
  return issue.message;
}

export function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  // Never echo a string: it may be a secret typed in the wrong place.
  if (typeof value === 'string') return 'a string';
  return `${typeof value} ${String(value)}`;
}
