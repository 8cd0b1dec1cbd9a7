import type { Diagnostic } from '../core/errors';
import { fieldName, type PathSegment } from '../core/yaml-source';
import { hostsOfGroup, type Inventory } from './model';

/**
 * The hosts an inventory's errors touch: a host's own definition, or a group
 * it is in (the group itself, its vars, its hosts list). An error that points
 * at no such place (no field, the top level) touches every host. `validate`
 * still tries the templates of the other hosts, so that one run reports every
 * independent error without knock-on errors. Pure.
 */
export function hostsTouched(
  inventory: Inventory,
  diagnostics: readonly Diagnostic[],
): Set<string> {
  const places = new Map<string, string[]>();
  const add = (at: PathSegment[], hosts: string[]) => {
    const key = fieldName(at);
    places.set(key, [...(places.get(key) ?? []), ...hosts]);
  };
  for (const group of inventory.groups.values()) {
    if (group.path.length === 0) continue;
    const all = hostsOfGroup(inventory, group.name);
    add(group.path, all);
    add([...group.path, 'vars'], all);
    add([...group.path, 'hosts'], group.hosts);
    for (const host of group.hosts) add([...group.path, 'hosts', host], [host]);
  }
  const touched = new Set<string>();
  for (const d of diagnostics) {
    if (d.severity !== 'error' || d.file !== inventory.file) continue;
    const hosts = d.field ? placeOf(d.field, places) : undefined;
    if (!hosts) return new Set(inventory.hosts.keys());
    for (const h of hosts) touched.add(h);
  }
  return touched;
}

/** The hosts of the longest known place that `field` is at or under. */
function placeOf(field: string, places: Map<string, string[]>): string[] | undefined {
  for (let end = field.length; end > 0; end--) {
    if (end < field.length && field[end] !== '.' && field[end] !== '[') continue;
    const hit = places.get(field.slice(0, end));
    if (hit) return hit;
  }
  return undefined;
}
