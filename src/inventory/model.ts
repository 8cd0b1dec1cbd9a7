import type { PathSegment } from '../core/yaml-source';

/** A host after merging: its variables with defaults, groups and where each variable came from. */
export interface Host {
  name: string;
  /** Merged variables: defaults < all < parent groups < child groups < host. */
  vars: Record<string, unknown>;
  /** Every group the host belongs to, ancestors included, `all` first. */
  groups: string[];
  /** For each variable set in the file, the YAML path of the definition that won. */
  origins: Record<string, PathSegment[]>;
  /** YAML path of the host's first entry. */
  path: PathSegment[];
}

export interface Group {
  name: string;
  /** Hosts listed directly under this group. */
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
  path: PathSegment[];
  depth: number;
}

export interface Inventory {
  file: string;
  /** In the order they first appear in the file. */
  hosts: Map<string, Host>;
  groups: Map<string, Group>;
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
