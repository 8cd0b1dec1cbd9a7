/**
 * The Parser: walks the tokens of a whole `nft -f` file, expands `$NAME`s as
 * it reads them, runs the top-level commands (define, flush, delete, table)
 * and reads table, set and chain bodies into an NftRuleset, then validates
 * each table. Statements are handed to the free readers as a Cursor.
 */

import { baseChain, parseFamily, parseTableRef, SET_OPTIONS, TABLE_OBJECTS } from './declarations';
import { parseRuleItems } from './rule-items';
import { Cursor, endOf, lineOf, tokenize } from './tokens';
import {
  NftParseError,
  type NftChain,
  type NftFamily,
  type NftRuleset,
  type NftSet,
  type NftTable,
  type NftToken,
  type Span,
} from './types';
import { validateTable } from './validate';
import { devicesOf, parseValue } from './values';

export class Parser {
  private readonly tokens: NftToken[];
  private pos = 0;
  private readonly defines = new Map<string, NftToken[]>();
  private tables: NftTable[] = [];

  constructor(text: string) {
    this.tokens = tokenize(text);
  }

  parse(): NftRuleset {
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (this.isSeparator(t)) {
        this.pos++;
        continue;
      }
      this.topStatement();
    }
    for (const table of this.tables) validateTable(table);
    return { tables: this.tables };
  }

  // -- token stream, with `$NAME` expanded where it is read

  private peek(): NftToken | undefined {
    const t = this.tokens[this.pos];
    if (t && t.kind === 'word' && /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(t.text)) {
      const body = this.defines.get(t.text.slice(1));
      if (!body) throw new NftParseError(lineOf(t), `"${t.text}" is not defined`);
      const via: Span = t.via ?? { raw: t.raw, line: t.line, start: t.start, end: t.end };
      this.tokens.splice(this.pos, 1, ...body.map((b) => ({ ...b, via })));
      return this.tokens[this.pos];
    }
    return t;
  }

  private next(): NftToken | undefined {
    const t = this.peek();
    if (t) this.pos++;
    return t;
  }

  private isSeparator(t: NftToken): boolean {
    return t.kind === 'nl' || (t.kind === 'punct' && t.text === ';');
  }

  private lastLine(): number {
    const t = this.tokens[Math.min(this.pos, this.tokens.length) - 1];
    return t ? lineOf(t) : 1;
  }

  /**
   * The tokens of one statement: up to a newline or `;` outside braces, or up to
   * (not including) the `}` that closes the enclosing block. Newlines inside
   * braces and parentheses are dropped.
   */
  private statement(): Cursor {
    const out: NftToken[] = [];
    let depth = 0;
    const first = this.peek();
    const firstLine = first ? lineOf(first) : this.lastLine();
    for (;;) {
      const t = this.peek();
      if (!t) {
        if (depth > 0) throw new NftParseError(firstLine, 'a "{" is not closed');
        break;
      }
      if (depth === 0 && (this.isSeparator(t) || (t.kind === 'punct' && t.text === '}'))) break;
      this.pos++;
      if (t.kind === 'nl') continue;
      if (t.kind === 'punct' && (t.text === '{' || t.text === '(')) depth++;
      if (t.kind === 'punct' && (t.text === '}' || t.text === ')')) depth--;
      out.push(t);
    }
    return new Cursor(out, firstLine);
  }

  /** The words of a block header (`table inet x`, `chain input`), up to a `{` or the end of the statement. */
  private header(): Cursor {
    const out: NftToken[] = [];
    const first = this.peek();
    const firstLine = first ? lineOf(first) : this.lastLine();
    for (;;) {
      const t = this.peek();
      if (!t || this.isSeparator(t) || (t.kind === 'punct' && (t.text === '{' || t.text === '}')))
        break;
      this.pos++;
      out.push(t);
    }
    return new Cursor(out, firstLine);
  }

  private atOpenBrace(): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'punct' && t.text === '{';
  }

  /** Skips separators; true when the next token closes the block (and consumes it). */
  private blockEnd(openLine: number, what: string): boolean {
    for (;;) {
      const t = this.peek();
      if (!t) throw new NftParseError(openLine, `${what} is not closed with "}"`);
      if (this.isSeparator(t)) {
        this.pos++;
        continue;
      }
      if (t.kind === 'punct' && t.text === '}') {
        this.pos++;
        return true;
      }
      return false;
    }
  }

  private expectOpenBrace(c: Cursor, what: string): void {
    endOf(c);
    const t = this.next();
    if (!t || t.kind !== 'punct' || t.text !== '{') {
      throw new NftParseError(t ? lineOf(t) : this.lastLine(), `expected "{" after ${what}`);
    }
  }

  // -- top level

  private topStatement(): void {
    const head = this.peek() as NftToken;
    const line = lineOf(head);
    if (head.kind !== 'word') throw new NftParseError(line, `unexpected "${head.raw}"`);
    switch (head.text) {
      case 'define':
      case 'redefine':
        return this.define(head);
      case 'undefine': {
        this.pos++;
        const c = this.statement();
        this.defines.delete(c.name('a name'));
        return endOf(c);
      }
      case 'flush':
        return this.flush(line);
      case 'delete':
      case 'destroy':
        return this.deleteObject(head, line);
      case 'add':
      case 'create': {
        const what = this.tokens[this.pos + 1];
        if (!what || what.kind !== 'word' || what.text !== 'table') {
          throw new NftParseError(
            line,
            `"${head.text}${what && what.kind === 'word' ? ` ${what.text}` : ''}" is not supported by this check`,
          );
        }
        this.pos++;
        return this.table();
      }
      case 'table':
        return this.table();
      default:
        throw new NftParseError(
          line,
          head.text === 'include' ||
            head.text === 'insert' ||
            head.text === 'replace' ||
            head.text === 'list'
            ? `"${head.text}" is not supported by this check`
            : `unexpected "${head.raw}"`,
        );
    }
  }

  /** At `define` or `redefine`: `NAME = value`, kept as tokens for `$NAME`. */
  private define(head: NftToken): void {
    this.pos++;
    const c = this.statement();
    const name = c.name('a name');
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw c.error(`"${name}" is not a valid name`);
    c.expectPunct('=');
    if (c.done()) throw c.error(`"define ${name}" has no value`);
    if (head.text === 'define' && this.defines.has(name))
      throw c.error(`"${name}" is already defined`);
    this.defines.set(name, c.tokens.slice(c.index));
  }

  /** At `flush`: `flush ruleset [family]`, `flush table ...` or `flush chain ...`. */
  private flush(line: number): void {
    this.pos++;
    const c = this.statement();
    const what = c.name('"ruleset", "table" or "chain"');
    if (what === 'ruleset') {
      const family = c.done() ? undefined : parseFamily(c);
      this.tables = family ? this.tables.filter((t) => t.family !== family) : [];
    } else if (what === 'table') {
      const [family, name] = parseTableRef(c);
      const table = this.findTable(family, name);
      if (table) for (const chain of table.chains.values()) chain.rules = [];
    } else if (what === 'chain') {
      const [family, name] = parseTableRef(c);
      const chain = this.findTable(family, name)?.chains.get(c.name('a chain name'));
      if (chain) chain.rules = [];
    } else {
      throw new NftParseError(line, `"flush ${what}" is not supported by this check`);
    }
    return endOf(c);
  }

  /** At `delete` or `destroy`: `... table [family] name` or `... chain [family] table name`. */
  private deleteObject(head: NftToken, line: number): void {
    this.pos++;
    const c = this.statement();
    const what = c.name('"table" or "chain"');
    if (what === 'table') {
      const [family, name] = parseTableRef(c);
      this.tables = this.tables.filter((t) => t.family !== family || t.name !== name);
    } else if (what === 'chain') {
      const [family, name] = parseTableRef(c);
      this.findTable(family, name)?.chains.delete(c.name('a chain name'));
    } else {
      throw new NftParseError(line, `"${head.text} ${what}" is not supported by this check`);
    }
    return endOf(c);
  }

  private findTable(family: NftFamily, name: string): NftTable | undefined {
    return this.tables.find((t) => t.family === family && t.name === name);
  }

  private table(): void {
    const head = this.next() as NftToken; // `table`
    const c = this.header();
    const [family, name] = parseTableRef(c);
    let table = this.findTable(family, name);
    if (!table) {
      table = { family, name, line: lineOf(head), sets: new Map(), chains: new Map() };
      this.tables.push(table);
    }
    endOf(c);
    if (this.atOpenBrace()) {
      this.pos++;
      this.tableBody(table, lineOf(head));
    } else {
      endOf(c);
    }
  }

  private tableBody(table: NftTable, openLine: number): void {
    while (!this.blockEnd(openLine, `table ${table.family} ${table.name}`)) {
      const head = this.peek() as NftToken;
      const line = lineOf(head);
      if (head.kind === 'word' && (head.text === 'set' || head.text === 'map')) {
        this.pos++;
        const c = this.header();
        const name = c.name(`a ${head.text} name`);
        this.expectOpenBrace(c, `${head.text} ${name}`);
        table.sets.set(name, this.setBody(head.text, name, line));
      } else if (head.kind === 'word' && head.text === 'chain') {
        this.pos++;
        const c = this.header();
        const name = c.name('a chain name');
        let chain = table.chains.get(name);
        if (!chain) {
          chain = { name, line, base: undefined, rules: [] };
          table.chains.set(name, chain);
        }
        endOf(c);
        if (this.atOpenBrace()) {
          this.pos++;
          this.chainBody(chain, line);
        }
      } else if (head.kind === 'word' && (head.text === 'flags' || head.text === 'comment')) {
        this.statement();
      } else if (head.kind === 'word' && TABLE_OBJECTS.has(head.text)) {
        this.statement(); // the whole declaration, its { ... } included
      } else {
        throw new NftParseError(
          line,
          `unexpected "${head.raw}" in table ${table.family} ${table.name}`,
        );
      }
    }
  }

  private setBody(kind: 'set' | 'map', name: string, openLine: number): NftSet {
    const set: NftSet = { name, kind, line: openLine, flags: [], elements: [], dynamic: false };
    while (!this.blockEnd(openLine, `${kind} ${name}`)) {
      const c = this.statement();
      const key = c.name('a set option');
      if (key === 'flags') {
        const flags = parseValue(c, true);
        const items = flags.kind === 'list' ? flags.items : [flags];
        for (const f of items) if (f.kind === 'atom') set.flags.push(f.text);
        endOf(c);
      } else if (key === 'elements') {
        c.expectPunct('=');
        const value = parseValue(c, false);
        if (value.kind !== 'set')
          throw c.error(`the elements of ${kind} ${name} must be written { ... }`);
        set.elements.push(...value.elements);
        endOf(c);
      } else if (SET_OPTIONS.has(key)) {
        if (key === 'timeout') set.dynamic = true;
      } else {
        throw c.error(`unexpected "${key}" in ${kind} ${name}`);
      }
    }
    if (set.flags.includes('dynamic') || set.flags.includes('timeout')) set.dynamic = true;
    return set;
  }

  private chainBody(chain: NftChain, openLine: number): void {
    while (!this.blockEnd(openLine, `chain ${chain.name}`)) {
      const c = this.statement();
      const first = c.peek() as NftToken;
      const line = lineOf(first);
      if (first.kind === 'word' && first.text === 'type') {
        chain.base = baseChain(c, line, chain.base);
      } else if (first.kind === 'word' && first.text === 'policy') {
        c.next();
        const policy = c.name('"accept" or "drop"');
        if (policy !== 'accept' && policy !== 'drop')
          throw c.error(`the policy must be accept or drop, not "${policy}"`);
        endOf(c);
        if (!chain.base)
          throw new NftParseError(
            line,
            `chain ${chain.name} has a policy but no "type ... hook ..."`,
          );
        chain.base.policy = policy;
        chain.base.policyLine = line;
      } else if (first.kind === 'word' && first.text === 'comment') {
        continue;
      } else if (first.kind === 'word' && first.text === 'devices') {
        c.next();
        c.expectPunct('=');
        if (chain.base) chain.base.devices = devicesOf(parseValue(c, false));
      } else if (first.kind === 'punct') {
        throw c.error(`unexpected "${first.raw}"`, first);
      } else {
        chain.rules.push({ line, text: c.text(0, c.tokens.length), items: parseRuleItems(c) });
      }
    }
  }
}
