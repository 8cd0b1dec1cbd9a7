import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { Fact, FactRequest } from '../../src/facts/types';
import { factKey } from '../../src/facts/types';
import { FactView } from '../../src/modules/fact-view';
import type { ModuleContext } from '../../src/modules/module';
import { MODULES } from '../../src/modules/registry';
import { TemplateEngine } from '../../src/render/template-engine';
import { fixture } from '../support/cli';

/**
 * Module plans as data: test/fixtures/modules/<module>/<case>.yaml holds
 * {args, facts, changes} or {args, facts, error}, and optionally the host's
 * `vars` (e.g. mysql_flavor). Each listed change is
 * matched on the fields it names (a write's content as text); the facts are exactly those the module asks for,
 * its moreFacts included. `peers` holds the facts read on other hosts, by
 * host: exactly those the module's peers() asks for.
 */
interface CaseFact {
  request: FactRequest;
  value: unknown;
}
interface Case {
  vars?: Record<string, unknown>;
  args: unknown;
  facts: CaseFact[];
  peers?: Record<string, CaseFact[]>;
  changes?: Record<string, unknown>[];
  error?: string;
}

const ROOT = fixture('modules');
const ctx: ModuleContext = {
  host: 'web-01',
  vars: { inventory_hostname: 'web-01' },
  templates: new TemplateEngine(fixture('templates')),
  filesDir: fixture('files'),
  containsSecret: () => false,
};

function run(module: string, c: Case) {
  const m = MODULES[module];
  assert.ok(m, `no module ${module}`);
  const args = m.args.parse(c.args ?? {}) as never;
  const here: ModuleContext = { ...ctx, vars: { ...ctx.vars, ...c.vars } };
  const facts = factMap(c.facts);
  const peers = new Map(
    Object.entries(c.peers ?? {}).map(([host, list]) => [host, new FactView(factMap(list))]),
  );
  // What the module asks for first, then what that state makes it ask for
  // (moreFacts: a login to a replica's source), as the runner gathers them;
  // moreFacts may refuse the state already, as plan does.
  const first = m.facts(args, here).map(factKey);
  const firstOnly = new Map([...facts].filter(([key]) => first.includes(key)));
  return () => {
    const more = (m.moreFacts?.(args, new FactView(firstOnly), here) ?? [])
      .map(factKey)
      .filter((key) => !first.includes(key));
    assert.deepEqual(
      [...first, ...more].sort(),
      c.facts.map((f) => factKey(f.request)).sort(),
      'the module asks for exactly the facts of the case',
    );
    const asked: Record<string, string[]> = {};
    for (const p of m.peers?.(args, here) ?? [])
      (asked[p.host] ??= []).push(...p.requests.map(factKey));
    const given = Object.fromEntries(
      Object.entries(c.peers ?? {}).map(([h, list]) => [h, list.map((f) => factKey(f.request))]),
    );
    assert.deepEqual(asked, given, "the module asks other hosts for exactly the case's peers");
    return m.plan(args, new FactView(facts), here, peers);
  };
}

function factMap(list: CaseFact[]): Map<string, Fact> {
  return new Map(
    list.map((f) => [
      factKey(f.request),
      { kind: f.request.kind, value: factValue(f.request.kind, f.value) } as Fact,
    ]),
  );
}

/**
 * YAML has no Map and no undefined: the kinds whose value is a Map are written
 * as a mapping by name, and a file that is absent (content) as null.
 */
function factValue(kind: FactRequest['kind'], value: unknown): unknown {
  if (kind === 'content' && value === null) return undefined;
  if (kind === 'packages' || kind === 'units')
    return new Map(Object.entries(value as Record<string, unknown>));
  if (kind === 'tree') {
    const tree = value as { entries?: Record<string, unknown> };
    return { ...tree, entries: new Map(Object.entries(tree.entries ?? {})) };
  }
  return value;
}

/** A Buffer (a write's content) compares with the text a case gives for it. */
function shown(got: unknown, want: unknown): unknown {
  return Buffer.isBuffer(got) && typeof want === 'string' ? got.toString('utf8') : got;
}

describe('module plans from fixtures: {args, facts} → changes', () => {
  for (const module of fs.readdirSync(ROOT).sort()) {
    describe(module, () => {
      for (const file of fs.readdirSync(path.join(ROOT, module)).sort()) {
        const c = parse(fs.readFileSync(path.join(ROOT, module, file), 'utf8')) as Case;
        it(file.replace(/\.yaml$/, ''), () => {
          const plan = run(module, c);
          if (c.error !== undefined) {
            assert.throws(plan, new RegExp(c.error));
            return;
          }
          const changes = plan();
          assert.equal(changes.length, c.changes!.length, JSON.stringify(changes, null, 2));
          c.changes!.forEach((want, i) => {
            const got = changes[i] as unknown as Record<string, unknown>;
            for (const [k, v] of Object.entries(want))
              assert.deepEqual(shown(got[k], v), v, `change ${i}: ${k}`);
          });
        });
      }
    });
  }
});
