import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { ROOT } from '../support/cli';

/**
 * The direction of the dependencies (DESIGN.md): cli → engine → modules →
 * {facts, render, inventory, playbook} → core, with the SSH transport
 * reached only from the engine and the commands. Read from the real import
 * graph of src/ (madge, as `npm run lint` uses for cycles); each rule says
 * which folders (or files) may not import which, and why.
 */
interface Rule {
  /** Importers: a folder of src/ ("engine/"), or a file ("changes/model.ts"). */
  from: string[];
  /** What they may not import, the same way. */
  forbidden: string[];
  why: string;
}

/** The inputs, facts and templates: the bottom of the pure core. */
const INPUTS = [
  'core/',
  'facts/',
  'inventory/',
  'playbook/',
  'render/',
  'mysql/',
  'vault/',
  'firewall/',
];

/** Inventory to plan: pure code, under the engine. */
const PURE = [...INPUTS, 'modules/', 'changes/model.ts'];

/**
 * What the tool knows of the site (src/site/: roles, rules, its picture, its
 * health, a promotion), over the pure core and apart from the engine.
 */
const SITE = ['site/'];

export const RULES: Rule[] = [
  {
    from: ['core/'],
    forbidden: [''],
    why: 'core holds the types and helpers everything shares: it imports nothing of src/',
  },
  {
    from: PURE,
    forbidden: ['engine/', 'cli/', 'report/', 'lab/', 'changes/kinds/', ...SITE],
    why: 'the pure core (inventory to plan) never reaches up into the engine, the reporters, the site workflows or the commands',
  },
  {
    from: SITE,
    forbidden: ['engine/', 'cli/', 'lab/', 'transport/'],
    why: "the site's knowledge is pure over the inventory and facts; the commands run it on hosts",
  },
  {
    from: INPUTS,
    forbidden: ['modules/', 'changes/', 'site/'],
    why: 'facts, inputs and templates know nothing of the modules that use them, nor of the site',
  },
  {
    from: [...PURE, ...SITE, 'report/', 'lab/', 'changes/'],
    forbidden: ['transport/'],
    why: 'only the engine and the commands reach the SSH transport',
  },
  {
    from: ['transport/'],
    forbidden: ['engine/', 'modules/', 'facts/', 'changes/', 'inventory/', 'playbook/', 'report/'],
    why: 'the transport moves bytes and knows nothing of what they mean',
  },
  {
    from: ['engine/', 'modules/', 'changes/', 'report/', 'transport/', 'site/'],
    forbidden: ['cli/', 'lab/'],
    why: 'the commands and the lab are edges: nothing of the engine depends on them',
  },
  {
    from: ['engine/', 'changes/', 'report/', 'transport/', 'modules/'],
    forbidden: ['site/'],
    why: "the engine knows no site: the commands give it the site's rules (cli/site-project.ts)",
  },
  {
    from: ['lab/'],
    forbidden: ['engine/', 'modules/', 'facts/', 'changes/', 'report/', 'cli/'],
    why: 'the lab is test hosts: it writes an inventory for the tool, and uses nothing of it',
  },
];

function violations(graph: Record<string, string[]>, rules: Rule[]): string[] {
  const matches = (file: string, prefix: string) =>
    prefix.endsWith('/') || prefix === '' ? file.startsWith(prefix) : file === prefix;
  const out: string[] = [];
  for (const [file, deps] of Object.entries(graph)) {
    for (const rule of rules) {
      if (!rule.from.some((p) => matches(file, p))) continue;
      for (const dep of deps) {
        const sameFolder = dep.split('/')[0] === file.split('/')[0];
        if (sameFolder && rule.forbidden.includes('')) continue;
        if (rule.forbidden.some((p) => (p === '' ? !sameFolder : matches(dep, p))))
          out.push(`${file} -> ${dep}: ${rule.why}`);
      }
    }
  }
  return out;
}

describe('layering: the direction of src/ imports', function () {
  this.timeout(60_000);
  let graph: Record<string, string[]>;

  before(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const madge = require('madge') as (
      path: string,
      config: object,
    ) => Promise<{ obj(): Record<string, string[]> }>;
    const result = await madge(path.join(ROOT, 'src'), {
      fileExtensions: ['ts'],
      tsConfig: path.join(ROOT, 'tsconfig.json'),
    });
    graph = result.obj();
  });

  it('reads the whole graph', () => {
    assert.ok(Object.keys(graph).length > 200, `${Object.keys(graph).length} files`);
    assert.ok(graph['cli/main.ts']?.includes('cli/exit-codes.ts'), 'a known import is seen');
  });

  for (const rule of RULES)
    it(`${rule.from.join(', ')} never import ${rule.forbidden.map((f) => f || 'src/').join(', ')}`, () => {
      assert.deepEqual(violations(graph, [rule]), []);
    });

  it('a rule that is broken is reported (the checker itself)', () => {
    const broken = {
      'facts/x.ts': ['engine/y.ts', 'core/z.ts'],
      'core/a.ts': ['core/b.ts', 'mysql/c.ts'],
    };
    assert.deepEqual(
      violations(broken, RULES).map((v) => v.split(':')[0]),
      ['facts/x.ts -> engine/y.ts', 'core/a.ts -> mysql/c.ts'],
    );
  });
});
