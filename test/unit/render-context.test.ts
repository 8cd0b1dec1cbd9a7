import { strict as assert } from 'node:assert';
import { parseInventory } from '../../src/inventory/load';
import { contextBuilder } from '../../src/render/context';

describe('the render context', () => {
  // Found by fault 13: an inventory variable named like a value the tool sets
  // itself (here a secret reference, whose view is a getter) crashed with exit 70.
  it("keeps the tool's own names (name, groups, hostvars, ...) over inventory variables of the same name", () => {
    const text = [
      'all:',
      '  vars:',
      '    name: { env: HOME }',
      '    groups: { env: HOME }',
      '    hostvars: plain',
      '  hosts:',
      '    a: { address: 10.0.0.1 }',
      '',
    ].join('\n');
    const r = parseInventory('inv.yml', text);
    assert.ok(r.value, JSON.stringify(r.diagnostics));
    const context = contextBuilder(r.value, {}, () => '********')('a');
    assert.equal(context.name, 'a');
    assert.equal(context.inventory_hostname, 'a');
    assert.ok(Array.isArray((context.groups as Record<string, unknown>).all));
    assert.equal(typeof context.hostvars, 'object');
  });
});
