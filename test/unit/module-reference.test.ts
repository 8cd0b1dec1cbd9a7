import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { moduleReferenceDoc } from '../../tools/docs/generate';
import { moduleReference } from '../../tools/docs/module-reference';
import { ARGUMENT_TYPES, absolutePath } from '../../src/modules/arg-types';
import type { ModuleContext, ModuleDefinition } from '../../src/modules/module';
import { MODULES } from '../../src/modules/registry';
import { TemplateEngine } from '../../src/render/template-engine';
import { ROOT, fixture } from '../support/cli';

/** The section of one module in the generated page. */
function section(page: string, name: string): string {
  const start = page.indexOf(`\n## ${name}\n`);
  assert.ok(start >= 0, `no section for ${name}`);
  const end = page.indexOf('\n## ', start + 1);
  return page.slice(start, end < 0 ? undefined : end);
}

/** The table row of one argument in a module's section, split into its cells. */
function row(page: string, module: string, arg: string): string[] {
  const line = section(page, module)
    .split('\n')
    .find((l) => l.startsWith(`| \`${arg}\` |`));
  assert.ok(line, `no row for ${module}.${arg}`);
  return line
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());
}

describe('the module reference (docs/modules.md), generated from the zod schemas', () => {
  const page = moduleReferenceDoc().content;

  it('docs/modules.md is the generated page (else: npm run docs)', () => {
    const file = path.join(ROOT, 'docs', 'modules.md');
    const written = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    assert.ok(
      written === page,
      'docs/modules.md is out of date with the module schemas: run `npm run docs` and commit the result',
    );
  });

  it('has a section for every module of the registry, with a row for every argument', () => {
    for (const [name, m] of Object.entries(MODULES)) {
      const shape = (m.args as unknown as { def: { shape: Record<string, unknown> } }).def.shape;
      for (const arg of Object.keys(shape)) row(page, name, arg);
      assert.match(section(page, name), new RegExp(`^- Reads: \\S`, 'm'));
      assert.match(section(page, name), /^- Dry run \(`apply --check`, `diff`\): \S/m);
    }
  });

  it('shows types, defaults, enumerations and constraints as the schemas define them', () => {
    assert.deepEqual(row(page, 'package', 'state').slice(1, 4), [
      'string',
      'default `present`',
      '`present`, `absent`',
    ]);
    assert.deepEqual(row(page, 'package', 'name').slice(1, 3), [
      'package name or list of package names',
      '**required**',
    ]);
    assert.equal(row(page, 'template', 'dest')[1], 'absolute path');
    assert.equal(row(page, 'template', 'validate')[2], 'optional');
    assert.equal(row(page, 'mysql_replication', 'timeout')[3], 'at least 5');
    assert.equal(row(page, 'mysql_user', 'name')[3], 'not empty; at most 32 characters');
    assert.equal(row(page, 'firewall', 'revert_after')[1], 'whole number');
    // JSON Schema drops the default of a transformed type; the reference must not.
    assert.deepEqual(row(page, 'mysql_replication', 'tls').slice(1, 3), [
      'flag',
      'default `false`',
    ]);
  });

  it('states the rules across arguments (object refinements) with their own messages', () => {
    assert.match(section(page, 'command'), /^- Rule: give exactly one of cmd or argv\.$/m);
    assert.match(section(page, 'file'), /^- Rule: state=link needs src \(the target\)\.$/m);
  });

  it('describes every argument type the modules use', () => {
    for (const title of ['absolute path', 'file mode', 'flag', 'whole number', 'package name'])
      assert.match(page, new RegExp(`^\\| ${title} \\| \\S`, 'm'));
  });

  it("every module's example is a valid task, and asks only for the facts the module declares", () => {
    const files = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-modref-'));
    fs.mkdirSync(path.join(files, 'site'));
    fs.writeFileSync(path.join(files, 'site', 'server.js'), '');
    const ctx: ModuleContext = {
      host: 'web-02',
      vars: { mysql_flavor: 'mysql' },
      templates: new TemplateEngine(fixture('templates')),
      filesDir: files,
      containsSecret: () => false,
    };
    try {
      for (const [name, m] of Object.entries(MODULES)) {
        const parsed = m.args.safeParse(m.docs.example.args);
        assert.ok(parsed.success, `${name}: the example does not parse: ${parsed.error?.message}`);
        const kinds = new Set(m.facts(parsed.data as never, ctx).map((r) => r.kind));
        for (const kind of kinds)
          assert.ok(m.docs.reads.includes(kind), `${name}: facts() asks for ${kind}, not in reads`);
        assert.match(
          section(page, name),
          new RegExp(
            `\`\`\`yaml\\n- name: ${m.docs.example.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n  ${name}:\\n`,
          ),
        );
      }
    } finally {
      fs.rmSync(files, { recursive: true, force: true });
    }
  });

  it('refuses an argument without a description, and a named type it does not list', () => {
    const fake = (args: z.ZodType): ModuleDefinition<never> =>
      ({
        name: 'fake',
        summary: 'A fake module.',
        args,
        facts: () => [],
        plan: () => [],
        docs: { reads: [], dryRun: 'Nothing.', example: { name: 'x', args: {} } },
      }) as unknown as ModuleDefinition<never>;
    assert.throws(
      () => moduleReference([fake(z.strictObject({ path: z.string() }))], ARGUMENT_TYPES),
      /fake\.path: the argument has no description/,
    );
    assert.throws(
      () => moduleReference([fake(z.strictObject({ path: absolutePath.describe('A path.') }))], []),
      /fake\.path: type "absolute path" is not in ARGUMENT_TYPES/,
    );
  });
});
