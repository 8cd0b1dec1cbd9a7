import {
  CST,
  isAlias,
  isMap,
  isScalar,
  Parser,
  visit,
  type Document,
  type LineCounter,
} from 'yaml';
import type { Diagnostic } from './errors';
import { closest } from './suggest';

/**
 * Problems of YAML text the yaml library does not report as positioned
 * errors, each found in linear time. Pure.
 */

/** True when every line is blank or a comment (checked line by line: no backtracking). */
export function isCommentsOnly(text: string): boolean {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    if (line !== '' && !line.startsWith('#')) return false;
    start = end + 1;
  }
  return true;
}

/**
 * Offset of the first control character YAML does not allow in a stream
 * (C0 other than tab, line feed and carriage return; DEL; C1 other than NEL).
 */
export function firstControlCharacter(text: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x09 || c === 0x0a || c === 0x0d || c === 0x85) continue;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0xfffe || c === 0xffff) return i;
  }
  return undefined;
}

/**
 * Where the quoted scalar that is never closed opens: the yaml library
 * reports a missing quote where the text ends. The last quoted scalar
 * before `offset` that does not end with its quote.
 */
export function unclosedQuoteStart(text: string, offset: number): number | undefined {
  let found: number | undefined;
  const check = (token: CST.Token | null | undefined) => {
    if (!token || (token.type !== 'double-quoted-scalar' && token.type !== 'single-quoted-scalar'))
      return;
    if (token.offset <= offset && !isClosed(token.source)) found = token.offset;
  };
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    check(token.value);
    if (token.value)
      CST.visit(token, (item) => {
        check(item.key);
        check(item.value);
      });
  }
  return found;
}

function isClosed(source: string): boolean {
  const quote = source[0]!;
  const body = source.trimEnd().slice(1);
  if (!body.endsWith(quote)) return false;
  if (quote === "'") {
    // '' is an escaped quote: an odd count of quotes at the end closes it.
    let n = 0;
    while (n < body.length && body[body.length - 1 - n] === "'") n++;
    return n % 2 === 1;
  }
  let slashes = 0;
  while (body[body.length - 2 - slashes] === '\\') slashes++;
  return slashes % 2 === 0;
}

/**
 * Every alias that names no anchor defined before it (e.g. `*admin` for
 * `&admins`, with the anchor it most likely meant), and every alias inside
 * the collection it names (a cycle). One pass over the document.
 */
export function aliasProblems(
  file: string,
  doc: Document.Parsed,
  lines: LineCounter,
): Diagnostic[] {
  const anchors = new Map<string, unknown>();
  const all = new Set<string>();
  visit(doc, (_key, node) => {
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) all.add(anchor);
  });
  const out: Diagnostic[] = [];
  const report = (offset: number, message: string) => {
    const pos = lines.linePos(offset);
    out.push({ severity: 'error', file, line: pos.line, col: pos.col, message });
  };
  visit(doc, (_key, node, path) => {
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) anchors.set(anchor, node);
    if (!isAlias(node)) return;
    const target = anchors.get(node.source);
    const at = node.range?.[0] ?? 0;
    if (target === undefined) {
      const near = closest(node.source, all);
      report(
        at,
        `YAML alias *${node.source} refers to no anchor${near && near !== node.source ? ` (did you mean *${near}?)` : ' defined before it'}`,
      );
    } else if (path.includes(target as never)) {
      report(
        at,
        `YAML alias *${node.source} is inside the collection &${node.source} it names: a cycle`,
      );
    }
  });
  return out;
}

/** Offset of the first alias in the document, where an alias bomb is reported. */
export function firstAliasOffset(doc: Document.Parsed): number {
  let offset = 0;
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    }
    return undefined;
  });
  return offset;
}

/** Every key that repeats a key of the same mapping: a Set per mapping, one pass. */
export function duplicateKeys(
  file: string,
  doc: Document.Parsed,
  lines: LineCounter,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const name = String(pair.key.value);
        if (seen.has(name)) {
          const pos = lines.linePos(pair.key.range?.[0] ?? 0);
          out.push({
            severity: 'error',
            file,
            line: pos.line,
            col: pos.col,
            message: `duplicate key "${name}"`,
          });
        }
        seen.add(name);
      }
    },
  });
  return out;
}
