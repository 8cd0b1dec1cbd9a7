import * as path from 'node:path';
import type { Diagnostic } from '../core/errors';
import { fieldName, type PathSegment } from '../core/yaml-source';
import { hostsOfGroup, type Inventory } from './model';

/**
 * The hosts an inventory's errors touch: a host's own definition, or a group
 * it is in (the group itself, its vars, its hosts list), in the inventory file
 * or in a `group_vars/` or `host_vars/` file. An error that points at no such
 * place (no field, the top level, another variables file) touches every host. `validate`
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
    if (d.severity !== 'error') continue;
    const inVarsFile = d.file === inventory.file ? undefined : varsFileOf(d.file);
    if (d.file !== inventory.file && !inVarsFile) continue;
    const hosts = inVarsFile
      ? varsFileHosts(inventory, inVarsFile)
      : d.field
        ? placeOf(d.field, places)
        : undefined;
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

/** `group_vars/NAME…` or `host_vars/NAME…`: which kind, and the group or host name. */
function varsFileOf(file: string): { kind: string; name: string } | undefined {
  const parts = path.resolve(file).split(path.sep);
  for (let i = parts.length - 2; i >= 0; i--) {
    if (parts[i] !== 'group_vars' && parts[i] !== 'host_vars') continue;
    const name = parts[i + 1]!.replace(/\.(ya?ml|json)$/, '');
    return { kind: parts[i]!, name };
  }
  return undefined;
}

function varsFileHosts(
  inventory: Inventory,
  of: { kind: string; name: string },
): string[] | undefined {
  if (of.kind === 'host_vars') return inventory.hosts.has(of.name) ? [of.name] : undefined;
  return inventory.groups.has(of.name) ? hostsOfGroup(inventory, of.name) : undefined;
}
