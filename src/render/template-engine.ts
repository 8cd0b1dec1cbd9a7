import * as fs from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { TemplateError } from '../core/errors';
import { isIpv4, isIpv6 } from '../core/ip-family';
import { evaluate, parseExpression } from '../playbook/when';
import { resolveInside } from './safe-path';

type Compiled = (context: object) => string;

/**
 * Strict Handlebars over one templates folder:
 * - a missing variable is an error naming the template and line, never "";
 * - nothing is HTML-escaped (these are config files);
 * - partials are the files of `<templates>/partials/`, registered by name, so
 *   a partial can never name a file outside the folder.
 */
export class TemplateEngine {
  private readonly hbs = Handlebars.create();
  private readonly cache = new Map<string, Compiled>();
  private partialsLoaded = false;

  constructor(readonly root: string) {
    registerHelpers(this.hbs);
  }

  /** Renders `templates/<name>` with `context`. */
  renderFile(name: string, context: object, host?: string): string {
    const compiled = this.compiledFile(name, host);
    return this.run(compiled, context, name, host);
  }

  /** Renders an inline string (a task argument), `label` naming it in errors. */
  renderString(text: string, context: object, label: string, host?: string): string {
    if (!text.includes('{{')) return text;
    let compiled = this.cache.get(`inline:${text}`);
    if (!compiled) {
      compiled = this.compile(text, label, host);
      this.cache.set(`inline:${text}`, compiled);
    }
    return this.run(compiled, context, label, host);
  }

  /** Absolute path of a template, or undefined when it would leave the folder. */
  resolve(name: string): string | undefined {
    return resolveInside(this.root, name);
  }

  private compiledFile(name: string, host?: string): Compiled {
    const cached = this.cache.get(`file:${name}`);
    if (cached) return cached;
    const file = this.resolve(name);
    if (!file)
      throw new TemplateError(name, undefined, `template path must stay inside ${this.root}`, host);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new TemplateError(
        name,
        undefined,
        code === 'ENOENT' ? `no such template in ${this.root}` : `cannot read (${code})`,
        host,
      );
    }
    this.loadPartials();
    const compiled = this.compile(text, name, host);
    this.cache.set(`file:${name}`, compiled);
    return compiled;
  }

  private compile(text: string, label: string, host?: string): Compiled {
    try {
      // compile() is lazy: parse first so that syntax errors surface here.
      this.hbs.parse(text);
      return this.hbs.compile(text, { strict: true, noEscape: true });
    } catch (error) {
      throw toTemplateError(error, label, host);
    }
  }

  private run(compiled: Compiled, context: object, label: string, host?: string): string {
    try {
      return compiled(context);
    } catch (error) {
      throw toTemplateError(error, label, host);
    }
  }

  private loadPartials(): void {
    if (this.partialsLoaded) return;
    this.partialsLoaded = true;
    const dir = path.join(this.root, 'partials');
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).filter((f) => f.endsWith('.hbs'));
    } catch {
      return;
    }
    for (const file of names) {
      this.hbs.registerPartial(
        file.replace(/\.hbs$/, ''),
        fs.readFileSync(path.join(dir, file), 'utf8'),
      );
    }
  }
}

function toTemplateError(error: unknown, label: string, host?: string): TemplateError {
  if (error instanceof TemplateError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const parse = /^Parse error on line (\d+):/.exec(message);
  if (parse) {
    const expecting = /got '([^']+)'/.exec(message);
    return new TemplateError(
      label,
      Number(parse[1]),
      `syntax error${expecting ? ` (unexpected ${expecting[1]})` : ''}`,
      host,
    );
  }
  const missing = /^"([^"]+)" not defined in .* - (\d+):(\d+)$/.exec(message);
  if (missing)
    return new TemplateError(
      label,
      Number(missing[2]),
      `variable "${missing[1]}" is not defined`,
      host,
    );
  const partial = /^The partial (.+) could not be found$/.exec(message);
  if (partial)
    return new TemplateError(
      label,
      undefined,
      `no partial named "${partial[1]}" in templates/partials`,
      host,
    );
  const lineMatch = / - (\d+):(\d+)$/.exec(message);
  return new TemplateError(
    label,
    lineMatch ? Number(lineMatch[1]) : undefined,
    message.split('\n')[0]!,
    host,
  );
}

function registerHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  // A value, or when it is undefined (a variable or group that does not
  // exist) the fallback: (default (lookup groups "monitor") (take groups.lb 1)).
  hbs.registerHelper('default', (value: unknown, fallback: unknown) =>
    value === undefined ? fallback : value,
  );
  hbs.registerHelper('not', (a: unknown) => !a);
  hbs.registerHelper('join', (list: unknown, sep: unknown) =>
    Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ',') : '',
  );
  // The first line of every managed file: {{managed "#"}}.
  hbs.registerHelper(
    'managed',
    function (
      this: unknown,
      marker: unknown,
      options: { data?: { root?: Record<string, unknown> } },
    ) {
      const host = options?.data?.root?.inventory_hostname;
      return `${String(marker)} Managed by foobar-infra${host ? ` for ${String(host)}` : ''}. Local edits are overwritten on the next apply.`;
    },
  );
  // Lists, for configs that need sets of addresses (e.g. a firewall's).
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  hbs.registerHelper('contains', (l: unknown, value: unknown) => list(l).includes(value));
  // The values of one variable across host views: (pluck groups.lb "private_address").
  hbs.registerHelper('pluck', (l: unknown, key: unknown) =>
    list(l)
      .map((h) =>
        h && typeof h === 'object' ? (h as Record<string, unknown>)[String(key)] : undefined,
      )
      .filter((v) => v !== undefined && v !== null && v !== ''),
  );
  // Host views whose variable differs from a value: (reject groups.web "mysql_role" "none").
  hbs.registerHelper('reject', (l: unknown, key: unknown, value: unknown) =>
    list(l).filter(
      (h) => !(h && typeof h === 'object' && (h as Record<string, unknown>)[String(key)] === value),
    ),
  );
  // Host views for which a `when` expression holds, read with the view's
  // variables (inventory_hostname: its name): (where groups.web "backups").
  hbs.registerHelper('where', (l: unknown, expression: unknown) => {
    const expr = parseExpression(String(expression));
    return list(l).filter((h) => {
      if (!h || typeof h !== 'object') return false;
      // The view as prototype: a secret is looked up only when the expression reads it.
      const vars = Object.create(h, {
        inventory_hostname: { value: (h as { name?: unknown }).name },
      }) as Record<string, unknown>;
      return evaluate(expr, vars);
    });
  });
  // The first n items of a list: (take groups.lb 1).
  hbs.registerHelper('take', (l: unknown, n: unknown) => list(l).slice(0, Number(n)));
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).flatMap(list));
  hbs.registerHelper('unique', (l: unknown) => [...new Set(list(l).map(String))]);
  // Addresses or prefixes of one IP family (names are in neither).
  hbs.registerHelper('ipv4', (l: unknown) => list(l).map(String).filter(isIpv4));
  hbs.registerHelper('ipv6', (l: unknown) => list(l).map(String).filter(isIpv6));
  // "address:port", an IPv6 address in brackets: (hostport private_address 9100).
  hbs.registerHelper('hostport', (address: unknown, port: unknown) =>
    isIpv6(String(address))
      ? `[${String(address)}]:${String(port)}`
      : `${String(address)}:${String(port)}`,
  );
  // ms → seconds for configs that want seconds.
  hbs.registerHelper('seconds', (ms: unknown) =>
    String(Math.max(1, Math.round(Number(ms) / 1000))),
  );
}
