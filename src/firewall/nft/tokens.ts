/**
 * The nftables tokenizer, and Cursor: a reader over the tokens of one
 * statement (no newlines, no terminators) with the line of each token, as
 * written or as the `$NAME` it came from. Also endOf, which requires that a
 * statement was read to its end.
 */

import { NftParseError, type NftToken, type Span } from './types';

const PUNCT = '{}();,=';
const WORD_END = new Set([...' \t\r\f\v\n"#\\', ...PUNCT]);
const OPERATOR_PREFIXES = ['!=', '==', '<=', '>=', '<<', '>>', '<', '>'];

export function tokenize(text: string): NftToken[] {
  const tokens: NftToken[] = [];
  let i = 0;
  let line = 1;
  const push = (kind: NftToken['kind'], value: string, start: number, end: number): void => {
    tokens.push({ kind, text: value, raw: text.slice(start, end), line, start, end });
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      push('nl', '\n', i, i + 1);
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '\\') {
      // A line continuation: the backslash, maybe blanks, then the end of the line.
      let j = i + 1;
      while (j < text.length && (text[j] === ' ' || text[j] === '\t' || text[j] === '\r')) j++;
      if (j < text.length && text[j] !== '\n') {
        throw new NftParseError(line, 'a backslash is only allowed at the end of a line');
      }
      if (j < text.length) line++;
      i = j + 1;
    } else if (c === '"') {
      const close = text.indexOf('"', i + 1);
      const eol = text.indexOf('\n', i + 1);
      if (close < 0 || (eol >= 0 && eol < close)) {
        throw new NftParseError(line, 'a string is not closed on its line');
      }
      push('string', text.slice(i + 1, close), i, close + 1);
      i = close + 1;
    } else if (OPERATOR_PREFIXES.some((op) => text.startsWith(op, i))) {
      const op = OPERATOR_PREFIXES.find((o) => text.startsWith(o, i)) as string;
      push('word', op, i, i + op.length);
      i += op.length;
    } else if (PUNCT.includes(c)) {
      push('punct', c, i, i + 1);
      i++;
    } else {
      const start = i;
      while (i < text.length && !WORD_END.has(text[i])) i++;
      const word = text.slice(start, i);
      // `established: accept` in a verdict map; an IPv6 address may end in `::`, not in `:`.
      if (word.length > 1 && word.endsWith(':') && !word.endsWith('::')) {
        push('word', word.slice(0, -1), start, i - 1);
        push('word', ':', i - 1, i);
      } else {
        push('word', word, start, i);
      }
    }
  }
  return tokens;
}

/** A rule or statement as written, on one line: tokens next to each other stay together. */
function sourceText(tokens: readonly NftToken[]): string {
  let out = '';
  let prevEnd = -1;
  let prevVia: Span | undefined;
  for (const t of tokens) {
    if (t.via) {
      if (t.via === prevVia) continue;
      if (out && t.via.start !== prevEnd) out += ' ';
      out += t.via.raw;
      prevEnd = t.via.end;
      prevVia = t.via;
      continue;
    }
    if (out && t.start !== prevEnd) out += ' ';
    out += t.raw;
    prevEnd = t.end;
    prevVia = undefined;
  }
  return out;
}

export function lineOf(t: NftToken): number {
  return t.via ? t.via.line : t.line;
}

export class Cursor {
  private pos = 0;
  constructor(
    readonly tokens: NftToken[],
    private readonly fallbackLine: number,
  ) {}

  get index(): number {
    return this.pos;
  }
  set index(i: number) {
    this.pos = i;
  }
  done(): boolean {
    return this.pos >= this.tokens.length;
  }
  peek(offset = 0): NftToken | undefined {
    return this.tokens[this.pos + offset];
  }
  /** The next token when it is a word with this text. */
  isWord(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'word' && t.text === text;
  }
  isPunct(text: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }
  next(what = 'more'): NftToken {
    const t = this.tokens[this.pos];
    if (!t) throw this.error(`expected ${what} at the end of the statement`);
    this.pos++;
    return t;
  }
  expectPunct(text: string): NftToken {
    const t = this.next(`"${text}"`);
    if (t.kind !== 'punct' || t.text !== text)
      throw this.error(`expected "${text}", not "${t.raw}"`, t);
    return t;
  }
  /** A name or other single word (a quoted string counts). */
  name(what: string): string {
    const t = this.next(what);
    if (t.kind !== 'word' && t.kind !== 'string')
      throw this.error(`expected ${what}, not "${t.raw}"`, t);
    return t.text;
  }
  line(): number {
    const t = this.peek() ?? this.tokens[this.tokens.length - 1];
    return t ? lineOf(t) : this.fallbackLine;
  }
  error(message: string, at?: NftToken): NftParseError {
    return new NftParseError(at ? lineOf(at) : this.line(), message);
  }
  text(from: number, to = this.pos): string {
    return sourceText(this.tokens.slice(from, to));
  }
}

/** Throws on the first token of the statement left unread. */
export function endOf(c: Cursor): void {
  if (!c.done()) {
    const t = c.peek() as NftToken;
    throw c.error(`unexpected "${t.raw}"`, t);
  }
}
