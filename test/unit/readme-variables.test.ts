import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SITE_VARIABLES } from '../../src/site/variables';
import { ROOT } from '../support/cli';

/** README's variable table: one row per variable the site knows, with its default and meaning. */
describe("README's variable table equals the variables the tool knows", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Variables'));
  const rows = new Map<string, { default: string; doc: string }>();
  for (const m of section.matchAll(/^\| `([a-z0-9_]+)` \| (.*?) \| (.*) \|$/gm))
    rows.set(m[1]!, { default: m[2]!.trim(), doc: m[3]!.trim() });

  it('lists every variable, and no other', () => {
    assert.deepEqual([...rows.keys()].sort(), Object.keys(SITE_VARIABLES).sort());
  });

  for (const [name, spec] of Object.entries(SITE_VARIABLES))
    it(`${name}: its default and meaning`, () => {
      const row = rows.get(name);
      assert.ok(row, `no row for ${name}`);
      assert.equal(
        row.default,
        spec.default === undefined ? '' : `\`${JSON.stringify(spec.default)}\``,
      );
      const doc = `${spec.secret ? 'secret reference. ' : ''}${spec.doc}`;
      assert.equal(row.doc.replace(/\\\|/g, '|'), doc);
    });
});
