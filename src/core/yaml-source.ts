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
  type YAMLError,
} from 'yaml';
import type { ZodError } from 'zod';
import type { Diagnostic } from './errors';
import { decodeSource } from './source-text';
import { didYouMean } from './suggest';
import {
  aliasProblems,
  duplicateKeys,
  firstAliasOffset,
  firstControlCharacter,
  isCommentsOnly,
  unclosedQuoteStart,
} from './yaml-problems';

export type PathSegment = string | number;

/** A parsed YAML file that can say where any value or key stands. */
export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The plain data (maps → objects, sequences → arrays). */
  data: unknown;
}

/**
 * Reads a file as text, turning every way that can fail into a diagnostic:
 * missing, a folder, unreadable, UTF-16, binary, or not UTF-8.
 */
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
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      code === 'EACCES' ? 'permission denied' : `cannot read file (${code ?? String(error)})`,
    );
  }
  return decodeSource(file, bytes);
}

const YAML_MESSAGES: Partial<Record<string, string>> = {
  TAB_AS_INDENT: 'tab character used for indentation; YAML indents with spaces only',
  MULTIPLE_DOCS: 'YAML syntax error: the file holds more than one document',
  RESOURCE_EXHAUSTION: 'the YAML is nested too deeply to read',
};

/** At most this many alias uses are expanded: more is an alias bomb ("billion laughs"). */
export const MAX_ALIAS_COUNT = 100;

/**
 * Parses YAML text; every problem comes back as a positioned diagnostic, never
 * a throw. Linear in the size of the text.
 */
export function parseYaml(
  file: string,
  text: string,
): { source?: YamlSource; diagnostics: Diagnostic[] } {
  const at = (offset: number, message: string, lines?: LineCounter): Diagnostic => {
    const pos = lines ? lines.linePos(offset) : linePosOf(text, offset);
    return { severity: 'error', file, line: pos.line, col: pos.col, message };
  };
  if (isCommentsOnly(text)) return { diagnostics: [at(0, 'file is empty')] };
  const control = firstControlCharacter(text);
  if (control !== undefined) {
    const code = text.charCodeAt(control).toString(16).toUpperCase().padStart(4, '0');
    return {
      diagnostics: [at(control, `control character U+${code} is not allowed in YAML text`)],
    };
  }
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      lineCounter: lines,
      // The library's own check compares each key with every other (quadratic):
      // duplicateKeys below does it in one pass.
      uniqueKeys: false,
      prettyErrors: false,
      strict: true,
    });
  } catch (error) {
    return { diagnostics: [at(0, `the YAML cannot be read: ${describeThrown(error)}`)] };
  }
  const diagnostics = doc.errors.map((e) => syntaxDiagnostic(file, text, lines, e));
  if (diagnostics.length === 0) diagnostics.push(...duplicateKeys(file, doc, lines));
  if (diagnostics.length === 0) diagnostics.push(...aliasProblems(file, doc, lines));
  if (diagnostics.length > 0) return { diagnostics };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const bomb = /alias count|resource exhaustion/i.test(describeThrown(error));
    const message = bomb
      ? `YAML aliases expand to too many values (more than ${MAX_ALIAS_COUNT} alias uses): an alias bomb?`
      : `the YAML cannot be read: ${describeThrown(error)}`;
    return { diagnostics: [at(bomb ? firstAliasOffset(doc) : 0, message, lines)] };
  }
  return { source: { file, doc, lines, data }, diagnostics };
}

function syntaxDiagnostic(
  file: string,
  text: string,
  lines: LineCounter,
  e: YAMLError,
): Diagnostic {
  let offset = e.pos[0];
  let detail = YAML_MESSAGES[e.code];
  if (e.code === 'MISSING_CHAR' && /quote/.test(e.message)) {
    // The library says where the text ends; the operator needs where the quote opens.
    const open = unclosedQuoteStart(text, offset);
    if (open !== undefined) {
      offset = open;
      detail = 'YAML syntax error: this quote is never closed';
    }
  }
  const first = e.message.split('\n')[0] ?? e.message;
  detail ??= `YAML syntax error: ${first.replace(/ at line \d+, column \d+:?$/, '')}`;
  const pos = lines.linePos(offset);
  return {
    severity: 'error',
    file,
    line: pos.line,
    col: pos.col,
    message: detail,
  };
}

function describeThrown(error: unknown): string {
  if (error instanceof RangeError) return 'it is nested too deeply';
  return error instanceof Error ? error.message : String(error);
}

/** Line and column of an offset, before a LineCounter exists. */
function linePosOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
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
