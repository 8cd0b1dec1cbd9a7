/**
 * `when:` conditions: a small, safe expression language over variables.
 *   mysql_role == 'replica' and not (ssh_port == 22)
 *   'web' in groups
 *   mysql_source is defined
 * Parsed once at load (syntax errors carry a column), evaluated per host.
 */
export type Expr =
  | { kind: 'literal'; value: unknown }
  | { kind: 'var'; path: string[] }
  | { kind: 'not'; operand: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'defined'; operand: Expr; negate: boolean };

type BinaryOp = 'and' | 'or' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

interface Token {
  type: 'num' | 'str' | 'ident' | 'op' | 'paren' | 'end';
  value: string;
  col: number;
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      i++;
      let value = '';
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        value += src[i];
        i++;
      }
      if (i >= src.length) throw new ExpressionError('unterminated string', start + 1);
      i++;
      tokens.push({ type: 'str', value, col: start + 1 });
    } else if (/[0-9]/.test(c)) {
      while (i < src.length && /[0-9.]/.test(src[i]!)) i++;
      tokens.push({ type: 'num', value: src.slice(start, i), col: start + 1 });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_.]/.test(src[i]!)) i++;
      tokens.push({ type: 'ident', value: src.slice(start, i), col: start + 1 });
    } else if (c === '(' || c === ')') {
      i++;
      tokens.push({ type: 'paren', value: c, col: start + 1 });
    } else {
      const two = src.slice(i, i + 2);
      if (['==', '!=', '<=', '>='].includes(two)) {
        i += 2;
        tokens.push({ type: 'op', value: two, col: start + 1 });
      } else if (c === '<' || c === '>') {
        i++;
        tokens.push({ type: 'op', value: c, col: start + 1 });
      } else {
        throw new ExpressionError(`unexpected character "${c}"`, start + 1);
      }
    }
  }
  tokens.push({ type: 'end', value: '', col: src.length + 1 });
  return tokens;
}

export function parseExpression(src: string): Expr {
  const parser = new ExpressionParser(tokenize(src));
  const expr = parser.or();
  parser.expectEnd();
  return expr;
}

/** Recursive descent, loosest first: or, and, not, a comparison, a primary. */
class ExpressionParser {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    return this.tokens[this.pos++]!;
  }

  private isWord(w: string): boolean {
    return this.peek().type === 'ident' && this.peek().value === w;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.type !== 'end') throw new ExpressionError(`unexpected "${t.value}"`, t.col);
  }

  or(): Expr {
    let left = this.and();
    while (this.isWord('or')) {
      this.next();
      left = { kind: 'binary', op: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isWord('and')) {
      this.next();
      left = { kind: 'binary', op: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): Expr {
    if (this.isWord('not')) {
      this.next();
      return { kind: 'not', operand: this.not() };
    }
    return this.comparison();
  }

  private comparison(): Expr {
    const left = this.primary();
    const t = this.peek();
    if (t.type === 'op') {
      this.next();
      return { kind: 'binary', op: t.value as BinaryOp, left, right: this.primary() };
    }
    if (this.isWord('in')) {
      this.next();
      return { kind: 'binary', op: 'in', left, right: this.primary() };
    }
    if (this.isWord('not') && this.tokens[this.pos + 1]?.value === 'in') {
      this.pos += 2;
      return { kind: 'binary', op: 'not in', left, right: this.primary() };
    }
    if (this.isWord('is')) {
      this.next();
      const negate = this.isWord('not');
      if (negate) this.next();
      const word = this.next();
      if (word.value !== 'defined')
        throw new ExpressionError('expected "defined" after "is"', word.col);
      return { kind: 'defined', operand: left, negate };
    }
    return left;
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.type) {
      case 'num':
        return { kind: 'literal', value: Number(t.value) };
      case 'str':
        return { kind: 'literal', value: t.value };
      case 'paren': {
        if (t.value !== '(') throw new ExpressionError('unexpected ")"', t.col);
        const inner = this.or();
        const close = this.next();
        if (close.value !== ')') throw new ExpressionError('expected ")"', close.col);
        return inner;
      }
      case 'ident':
        return identifier(t);
      default:
        throw new ExpressionError(
          t.type === 'end' ? 'expression ends too early' : `unexpected "${t.value}"`,
          t.col,
        );
    }
  }
}

/** A word: a literal (true, false, null and their spellings), a variable, or a misplaced keyword. */
function identifier(t: Token): Expr {
  if (t.value === 'true' || t.value === 'True') return { kind: 'literal', value: true };
  if (t.value === 'false' || t.value === 'False') return { kind: 'literal', value: false };
  if (t.value === 'null' || t.value === 'none' || t.value === 'None')
    return { kind: 'literal', value: null };
  if (['and', 'or', 'not', 'in', 'is'].includes(t.value))
    throw new ExpressionError(`unexpected "${t.value}"`, t.col);
  return { kind: 'var', path: t.value.split('.') };
}

/** The variable names an expression reads (first path segment). */
export function variablesOf(expr: Expr): string[] {
  switch (expr.kind) {
    case 'literal':
      return [];
    case 'var':
      return [expr.path[0]!];
    case 'not':
      return variablesOf(expr.operand);
    case 'defined':
      return variablesOf(expr.operand);
    case 'binary':
      return [...variablesOf(expr.left), ...variablesOf(expr.right)];
  }
}

const UNDEFINED = Symbol('undefined');

export function evaluate(expr: Expr, vars: Record<string, unknown>): boolean {
  return truthy(evalNode(expr, vars));
}

function evalNode(expr: Expr, vars: Record<string, unknown>): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'var': {
      let value: unknown = vars;
      for (const segment of expr.path) {
        if (value === null || typeof value !== 'object' || !(segment in value)) {
          throw new ExpressionError(`"${expr.path.join('.')}" is not defined`, 1);
        }
        value = (value as Record<string, unknown>)[segment];
      }
      return value;
    }
    case 'not':
      return !truthy(evalNode(expr.operand, vars));
    case 'defined': {
      let defined = true;
      try {
        evalNode(expr.operand, vars);
      } catch {
        defined = false;
      }
      return expr.negate ? !defined : defined;
    }
    case 'binary': {
      if (expr.op === 'and')
        return truthy(evalNode(expr.left, vars)) && truthy(evalNode(expr.right, vars));
      if (expr.op === 'or')
        return truthy(evalNode(expr.left, vars)) || truthy(evalNode(expr.right, vars));
      const l = evalNode(expr.left, vars);
      const r = evalNode(expr.right, vars);
      switch (expr.op) {
        case '==':
          return l === r;
        case '!=':
          return l !== r;
        case '<':
          return (l as number) < (r as number);
        case '<=':
          return (l as number) <= (r as number);
        case '>':
          return (l as number) > (r as number);
        case '>=':
          return (l as number) >= (r as number);
        case 'in':
          return contains(r, l);
        case 'not in':
          return !contains(r, l);
      }
    }
  }
  return UNDEFINED;
}

function contains(container: unknown, item: unknown): boolean {
  if (Array.isArray(container)) return container.includes(item);
  if (typeof container === 'string') return typeof item === 'string' && container.includes(item);
  if (container && typeof container === 'object') return String(item) in container;
  return false;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}
