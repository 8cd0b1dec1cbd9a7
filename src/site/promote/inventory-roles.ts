/**
 * The inventory change a promotion needs, made on the YAML text itself: only
 * the mappings of the hosts whose roles change are rewritten, in their own
 * style (flow or block), so the rest of the file (comments, order, layout)
 * stays byte for byte. Pure.
 */
import { Document, isMap, parseDocument, type YAMLMap } from 'yaml';
import type { Inventory } from '../../inventory/model';

/**
 * `primary` becomes the primary; the old primary (its source) becomes its
 * replica; every other replica of the old primary follows the new one.
 */
export function promotedInventory(text: string, inventory: Inventory, primary: string): string {
  const old = String(inventory.hosts.get(primary)!.vars.mysql_source);
  const doc = parseDocument(text);
  const edits = new Map<string, Record<string, string | undefined>>([
    [primary, { mysql_role: 'primary', mysql_source: undefined }],
    [old, { mysql_role: 'replica', mysql_source: primary }],
  ]);
  for (const other of inventory.hosts.values()) {
    if (
      other.name !== primary &&
      other.vars.mysql_role === 'replica' &&
      other.vars.mysql_source === old
    )
      edits.set(other.name, { mysql_source: primary });
  }
  const splices: { start: number; end: number; text: string }[] = [];
  for (const [name, changes] of edits) {
    const path = inventory.hosts.get(name)!.path;
    const node = doc.getIn(path, true);
    if (!isMap(node) || !node.range)
      throw new Error(`host ${name} has no mapping of its own in ${inventory.file}`);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) node.delete(key);
      else node.set(key, value);
    }
    const [start, end] = node.range;
    // A block mapping's range ends after its last line break: keep what follows the content.
    const trailing = /\s*$/.exec(text.slice(start, end))![0];
    splices.push({ start, end, text: render(node, text, start) + trailing });
  }
  let out = text;
  for (const s of splices.sort((a, b) => b.start - a.start))
    out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

/** A host's mapping as YAML at the column where it starts (flow stays on one line). */
function render(node: YAMLMap, text: string, start: number): string {
  const column = start - (text.lastIndexOf('\n', start - 1) + 1);
  const body = new Document(node).toString({ lineWidth: 0 }).replace(/\n$/, '');
  return node.flow ? body : body.split('\n').join(`\n${' '.repeat(column)}`);
}
