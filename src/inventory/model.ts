import type { PathSegment, YamlSource } from '../core/yaml-source';

/** Where a variable's winning definition stands: a file and the YAML path in it. */
export interface Origin {
  file: string;
  path: PathSegment[];
}

/** A host after merging: its variables with defaults, groups and where each variable came from. */
export interface Host {
  name: string;
  /**
   * Merged variables, in Ansible's order: defaults < the inventory file's
   * groups < group_vars/ < the inventory file's host entry < host_vars/.
   */
  vars: Record<string, unknown>;
  /** Every group the host belongs to, ancestors included: `all` first, then in merge order. */
  groups: string[];
  /** For each variable the inventory sets, where the definition that won stands. */
  origins: Record<string, Origin>;
  /** YAML path of the host's first entry in the inventory file. */
  path: PathSegment[];
}

export interface Group {
  name: string;
  /** Hosts listed directly under this group. */
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
  path: PathSegment[];
  /** The longest chain of parents up to `all` (0 for `all`). */
  depth: number;
  /** `ansible_group_priority` (default 1): among groups of one depth, the higher applies later. */
  priority: number;
}

export interface Inventory {
  file: string;
  /** In the order they first appear in the file. */
  hosts: Map<string, Host>;
  groups: Map<string, Group>;
  /** Every file read, the inventory first and then its variable files, by path. */
  sources: ReadonlyMap<string, YamlSource>;
}

/** The hosts of a group and of all its descendants, in inventory order. */
export function hostsOfGroup(inventory: Inventory, group: string): string[] {
  const seen = new Set<string>();
  const visit = (name: string, trail: Set<string>) => {
    const g = inventory.groups.get(name);
    if (!g || trail.has(name)) return;
    trail.add(name);
    for (const h of g.hosts) seen.add(h);
    for (const c of g.children) visit(c, trail);
    trail.delete(name);
  };
  visit(group, new Set());
  return [...inventory.hosts.keys()].filter((h) => seen.has(h));
}

export function hostVar<T = unknown>(host: Host, name: string): T | undefined {
  return host.vars[name] as T | undefined;
}
