import type { Diagnostic } from '../core/errors';
import { diagnosticAt, type YamlSource } from '../core/yaml-source';
import type { Group, Host, Inventory, Origin } from './model';
import type { FileGroup, FileInventory, HostEntry } from './parse-file';
import { laterRefused, type Refused } from './read-vars';
import { byCodePoint, type VarsFolder, type VarsLayer } from './vars-files';
import { defaultVariables, type VariableTable } from './variables';

/** The variable folders that apply, lowest precedence first: the inventory's, then the playbook's. */
export type VarsFolders = readonly VarsFolder[];

/** Each host's variables whose value was refused, where any were. */
export type Refusals = ReadonlyMap<string, Refused>;

export interface Merged {
  inventory: Inventory;
  refused: Refusals;
  /** True when the groups could not be merged (a loop): the inventory is empty. */
  structural: boolean;
}

/**
 * Ansible's merge. Groups without a parent become children of `all`; a
 * group's depth is its longest chain of parents; hosts only in `all` are in
 * `ungrouped`. A host's variables, each layer replacing whole values:
 * defaults < `all` in the file < its other groups in the file <
 * group_vars/all (inventory's, then playbook's) < group_vars/GROUP (inventory's,
 * then playbook's) < its entries in the file < host_vars/HOST (inventory's,
 * then playbook's). Groups apply by depth, then ansible_group_priority, then
 * name in code-point order.
 */
export function mergeInventory(
  file: FileInventory,
  source: YamlSource,
  folders: VarsFolders,
  sources: ReadonlyMap<string, YamlSource>,
  diagnostics: Diagnostic[],
  /** The known variables: their defaults go under every host's own values. */
  options: { variables: VariableTable },
): Merged {
  const defaults = defaultVariables(options.variables);
  adoptOrphans(file.groups);
  const loop = findLoop(file.groups);
  if (loop) {
    const at = file.groups.get(loop[0]!)!.path;
    diagnostics.push(
      diagnosticAt(source, at, `groups form a loop: ${loop.join(' → ')}`, { key: true }),
    );
    const inventory = { file: source.file, hosts: new Map(), groups: new Map(), sources };
    return { inventory, refused: new Map(), structural: true };
  }
  const groups = withDepths(file.groups);
  // Indexes, so that merging stays linear in the number of hosts.
  const entriesOf = new Map<string, HostEntry[]>();
  for (const e of file.entries) {
    const list = entriesOf.get(e.host);
    if (list) list.push(e);
    else entriesOf.set(e.host, [e]);
  }
  fillUngrouped([...entriesOf.keys()], groups);
  const index = groupIndex(groups);
  const hosts = new Map<string, Host>();
  const refused = new Map<string, Refused>();
  for (const [name, entries] of entriesOf) {
    const member = groupsOf(name, index);
    const ordered = sortGroups([...member].filter((g) => g !== 'all').map((g) => groups.get(g)!));
    const layers = hostLayers(name, ordered, entries, file, source.file, folders);
    const applied = applyLayers(name, layers, defaults);
    applyDerived(applied, options.variables);
    hosts.set(name, {
      name,
      groups: ['all', ...ordered.map((g) => g.name)],
      path: entries[0]!.path,
      vars: applied.vars,
      origins: applied.origins,
    });
    if (applied.refused === 'all' || applied.refused.size > 0) refused.set(name, applied.refused);
  }
  return { inventory: { file: source.file, hosts, groups, sources }, refused, structural: false };
}

/** Ansible's sort_groups: by depth, then priority, then name (code points). */
export function sortGroups(groups: Group[]): Group[] {
  return [...groups].sort(
    (a, b) => a.depth - b.depth || a.priority - b.priority || byCodePoint(a.name, b.name),
  );
}

function hostLayers(
  host: string,
  ordered: Group[],
  entries: HostEntry[],
  file: FileInventory,
  inventoryFile: string,
  folders: VarsFolders,
): VarsLayer[] {
  const fileLayer = (g: FileGroup): VarsLayer => ({
    file: inventoryFile,
    vars: g.vars,
    paths: g.varPaths,
    refused: g.refused,
  });
  const groupFile = (name: string) => fileLayer(file.groups.get(name)!);
  return [
    groupFile('all'),
    ...ordered.map((g) => groupFile(g.name)),
    ...folders.flatMap((f) => f.layers('group_vars', 'all')),
    ...folders.flatMap((f) => ordered.flatMap((g) => f.layers('group_vars', g.name))),
    ...entries.map((e) => ({
      file: inventoryFile,
      vars: e.vars,
      paths: e.varPaths,
      refused: e.refused,
    })),
    ...folders.flatMap((f) => f.layers('host_vars', host)),
  ];
}

function applyLayers(
  host: string,
  layers: VarsLayer[],
  defaults: Record<string, unknown>,
): { vars: Record<string, unknown>; origins: Record<string, Origin>; refused: Refused } {
  const vars: Record<string, unknown> = { ...defaults };
  const origins: Record<string, Origin> = {};
  let refused: Refused = new Set<string>();
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer.vars)) {
      vars[k] = v;
      origins[k] = { file: layer.file, path: layer.paths[k] ?? [] };
    }
    refused = laterRefused(refused, { ...layer, refused: layer.refused ?? new Set<string>() });
  }
  // SSH connects to the host's name unless told otherwise.
  if (vars.address === undefined) vars.address = host;
  return { vars, origins, refused };
}

/**
 * Variables that default to another's value (a site's private_address to
 * address): taken after the merge; when the other was refused, they are
 * unknown too.
 */
function applyDerived(
  applied: { vars: Record<string, unknown>; origins: Record<string, Origin>; refused: Refused },
  table: VariableTable,
): void {
  for (const [key, spec] of Object.entries(table)) {
    const from = spec.defaultFrom;
    if (from === undefined || applied.origins[key]) continue;
    if (applied.refused !== 'all' && applied.refused.has(from))
      applied.refused = new Set([...applied.refused, key]);
    if (applied.vars[key] === undefined) applied.vars[key] = applied.vars[from];
  }
}

/** Every group without a parent becomes a child of `all`, in the order groups were created. */
function adoptOrphans(groups: Map<string, FileGroup>): void {
  const hasParent = new Set([...groups.values()].flatMap((g) => g.children));
  const all = groups.get('all')!;
  for (const g of groups.values())
    if (g.name !== 'all' && !hasParent.has(g.name)) all.children.push(g.name);
}

function findLoop(groups: Map<string, FileGroup>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string, trail: string[]): string[] | undefined => {
    if (state.get(name) === 'open') return [...trail.slice(trail.indexOf(name)), name];
    if (state.get(name) === 'done') return undefined;
    state.set(name, 'open');
    for (const child of groups.get(name)?.children ?? []) {
      const loop = visit(child, [...trail, name]);
      if (loop) return loop;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const name of groups.keys()) {
    const loop = visit(name, []);
    if (loop) return loop;
  }
  return undefined;
}

/** Each group with its depth: the longest chain of parents up to `all`. */
function withDepths(fileGroups: Map<string, FileGroup>): Map<string, Group> {
  const parents = new Map<string, string[]>();
  for (const g of fileGroups.values())
    for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), g.name]);
  const depths = new Map<string, number>();
  const depth = (name: string): number => {
    const known = depths.get(name);
    if (known !== undefined) return known;
    const d = Math.max(0, ...(parents.get(name) ?? []).map((p) => depth(p) + 1));
    depths.set(name, d);
    return d;
  };
  const out = new Map<string, Group>();
  for (const g of fileGroups.values()) {
    out.set(g.name, {
      name: g.name,
      hosts: [...g.hosts],
      children: [...g.children],
      vars: g.vars,
      path: g.path,
      depth: depth(g.name),
      priority: g.priority,
    });
  }
  return out;
}

/** Hosts in no group but `all` are in `ungrouped`; hosts in another group are not. */
function fillUngrouped(hostNames: string[], groups: Map<string, Group>): void {
  const ungrouped = groups.get('ungrouped')!;
  const grouped = new Set<string>();
  for (const g of groups.values())
    if (g.name !== 'all' && g.name !== 'ungrouped') for (const h of g.hosts) grouped.add(h);
  const listed = new Set(ungrouped.hosts);
  ungrouped.hosts = ungrouped.hosts.filter((h) => !grouped.has(h));
  for (const host of hostNames)
    if (!grouped.has(host) && !listed.has(host)) ungrouped.hosts.push(host);
}

/** Each host's direct groups and each group's parents, built once. */
interface GroupIndex {
  direct: Map<string, string[]>;
  parents: Map<string, string[]>;
}

function groupIndex(groups: Map<string, Group>): GroupIndex {
  const direct = new Map<string, string[]>();
  const parents = new Map<string, string[]>();
  for (const g of groups.values()) {
    for (const h of new Set(g.hosts)) direct.set(h, [...(direct.get(h) ?? []), g.name]);
    for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), g.name]);
  }
  return { direct, parents };
}

/** The groups a host is in, directly or through a child group, `all` included. */
function groupsOf(host: string, index: GroupIndex): Set<string> {
  const out = new Set<string>(['all']);
  const stack = [...(index.direct.get(host) ?? [])];
  while (stack.length > 0) {
    const g = stack.pop()!;
    if (out.has(g)) continue;
    out.add(g);
    stack.push(...(index.parents.get(g) ?? []));
  }
  return out;
}
