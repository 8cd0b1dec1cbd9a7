import { stringify } from 'yaml';
import { z } from 'zod';
import type { FactRequest } from '../../src/facts/types';
import { FACT_KINDS } from '../../src/facts/kinds';
import type { ModuleDefinition } from '../../src/modules/module';

/**
 * docs/modules.md from the module registry: every argument's type, default,
 * allowed values and description come from the module's zod schema (through
 * `z.toJSONSchema`), so the reference cannot drift from the code. Pure.
 */

/** A JSON Schema node, as much of it as the reference reads. */
interface JsonNode {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonNode[];
  items?: JsonNode;
  properties?: Record<string, JsonNode>;
  required?: string[];
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

/** What each kind of fact is, in words: each kind's own summary (facts/kinds/<kind>.ts). */
const factSummary = (kind: FactRequest['kind']) => FACT_KINDS[kind].summary;

const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

/** The whole reference page. */
export function moduleReference(
  modules: readonly ModuleDefinition<never>[],
  argumentTypes: readonly z.ZodType[],
): string {
  const types = argumentTypes.map((t) => {
    const meta = z.globalRegistry.get(t);
    if (!meta?.title || !meta.description)
      throw new Error('every argument type needs a title and a description (.meta)');
    return { title: meta.title, description: meta.description };
  });
  const known = new Set(types.map((t) => t.title));
  const out: string[] = [
    '# Module reference',
    '',
    '<!-- Generated from the argument schemas in src/modules/ by `npm run docs`. Do not edit by hand. -->',
    '',
    'A task names one module and gives it arguments:',
    '',
    '```yaml',
    '- name: HAProxy is installed',
    '  package: { name: haproxy }',
    '  notify: reload haproxy',
    '```',
    '',
    '- Arguments are checked when the playbook loads (an unknown or missing',
    '  argument is an error naming the file and line), and again for each host',
    '  after their `{{ variables }}` are rendered.',
    '- Every module plans from facts read on the host and changes only what',
    '  differs; a task whose plan is empty is `ok`.',
    '- Every module runs in a dry run (`apply --check`, `diff`): it plans from the',
    "  host's real state and nothing is changed. Each module's section says what",
    '  its dry run reports.',
    '- Modules that place files (marked "render: yes") also work without SSH:',
    '  `render` writes their files and `diff --against` compares them.',
    '',
    '## Modules',
    '',
    '| module | what it does |',
    '| --- | --- |',
    ...modules.map((m) => `| [\`${m.name}\`](#${m.name}) | ${cell(m.summary)} |`),
    '',
    '## Argument types',
    '',
    'Named types used by several modules:',
    '',
    '| type | what it accepts |',
    '| --- | --- |',
    ...types.map((t) => `| ${t.title} | ${cell(t.description)} |`),
    '',
  ];
  for (const m of modules) out.push(...moduleSection(m, known));
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function moduleSection(m: ModuleDefinition<never>, knownTypes: Set<string>): string[] {
  const schema = z.toJSONSchema(m.args, { io: 'input', unrepresentable: 'any' }) as JsonNode;
  const shape = objectShape(m.args);
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties ?? {}).map(([name, node]) => {
    if (!node.description) throw new Error(`${m.name}.${name}: the argument has no description`);
    for (const title of titles(node))
      if (!knownTypes.has(title))
        throw new Error(`${m.name}.${name}: type "${title}" is not in ARGUMENT_TYPES`);
    const fallback = defaultOf(shape[name]);
    const presence = fallback
      ? `default \`${literal(fallback.value)}\``
      : required.has(name)
        ? '**required**'
        : 'optional';
    return `| \`${name}\` | ${cell(typeText(node))} | ${presence} | ${cell(allowed(node))} | ${cell(node.description)} |`;
  });
  const rules = refineMessages(m.args);
  const example = stringify([{ name: m.docs.example.name, [m.name]: m.docs.example.args }], {
    lineWidth: 0,
  }).trimEnd();
  const out = [
    `## ${m.name}`,
    '',
    m.summary,
    '',
    '| argument | type | required / default | allowed values | description |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ];
  out.push(
    ...rules.map((r) => `- Rule: ${r}.`),
    `- Reads: ${m.docs.reads.map((k) => `\`${k}\`, ${factSummary(k)}`).join('; ')}.`,
    `- Dry run (\`apply --check\`, \`diff\`): ${m.docs.dryRun}`,
    `- Render: ${m.files ? 'yes: `render` and `diff --against` include its files.' : 'no: it places no file that can be rendered offline.'}`,
    '',
    '```yaml',
    example,
    '```',
    '',
  );
  return out;
}

/** The type of an argument in words: a named type's title, unions with "or", lists. */
export function typeText(node: JsonNode): string {
  if (node.title) return node.title;
  if (node.anyOf) return unique(node.anyOf.map(typeText)).join(' or ');
  if (node.const !== undefined) return literal(node.const);
  if (node.type === 'array')
    return `list of ${node.items ? plural(typeText(node.items)) : 'anything'}`;
  if (Array.isArray(node.type)) return node.type.join(' or ');
  return node.type ?? 'anything';
}

/** Enumerated values and constraints, e.g. `present`, `absent`; "at least 5". */
export function allowed(node: JsonNode): string {
  if (node.title) return '';
  const parts: string[] = [];
  if (node.enum) parts.push(node.enum.map((v) => `\`${literal(v)}\``).join(', '));
  if (node.minLength !== undefined && node.minLength > 0)
    parts.push(node.minLength === 1 ? 'not empty' : `at least ${node.minLength} characters`);
  if (node.maxLength !== undefined) parts.push(`at most ${node.maxLength} characters`);
  if (node.minItems !== undefined && node.minItems > 0)
    parts.push(`at least ${node.minItems} item${node.minItems === 1 ? '' : 's'}`);
  if (node.minimum !== undefined && node.minimum > -SAFE_INTEGER)
    parts.push(`at least ${node.minimum}`);
  if (node.maximum !== undefined && node.maximum < SAFE_INTEGER)
    parts.push(`at most ${node.maximum}`);
  if (node.pattern !== undefined) parts.push(`matches \`${node.pattern}\``);
  for (const sub of node.anyOf ?? []) {
    const inner = allowed(sub);
    if (inner) parts.push(`${typeText(sub)}: ${inner}`);
  }
  if (node.type === 'array' && node.items) {
    const inner = allowed(node.items);
    if (inner) parts.push(`each: ${inner}`);
  }
  return parts.join('; ');
}

function titles(node: JsonNode): string[] {
  if (node.title) return [node.title];
  return [...(node.anyOf ?? []), ...(node.items ? [node.items] : [])].flatMap(titles);
}

/** zod's own view of a schema: its definition (zod v4's introspection). */
interface ZodDefView {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  in?: z.ZodType;
  checks?: { _zod: { def: { check: string; error?: (issue: unknown) => unknown } } }[];
}
const defOf = (schema: z.ZodType) => (schema as unknown as { def: ZodDefView }).def;

function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  const shape = defOf(schema).shape;
  if (!shape) throw new Error('a module takes an object of arguments');
  return shape;
}

/**
 * The default of an argument, read from its zod wrappers: JSON Schema drops
 * the default of a transformed type (a `flag` with `.default(false)`).
 */
function defaultOf(schema: z.ZodType | undefined): { value: unknown } | undefined {
  for (let s = schema; s;) {
    const def = defOf(s);
    if (def.type === 'default') return { value: def.defaultValue };
    s = def.type === 'optional' || def.type === 'nullable' ? def.innerType : undefined;
  }
  return undefined;
}

/** The messages of an object's own refinements: rules across arguments. */
function refineMessages(schema: z.ZodType): string[] {
  return (defOf(schema).checks ?? [])
    .filter((c) => c._zod.def.check === 'custom')
    .map((c) => {
      const error = c._zod.def.error?.({});
      return typeof error === 'string' ? error : (error as { message?: string })?.message;
    })
    .filter((m): m is string => typeof m === 'string' && m !== '');
}

/** "package name" → "package names", "string or integer" → "strings or integers". */
function plural(text: string): string {
  return text
    .split(' or ')
    .map((t) => (t.endsWith('s') ? t : `${t}s`))
    .join(' or ');
}

function literal(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
