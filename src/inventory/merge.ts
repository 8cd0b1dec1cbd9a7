import type { Diagnostic } from '../core/errors';
import { diagnosticAt, type YamlSource } from '../core/yaml-source';
import type { Group, Host, Inventory, Origin } from './model';
import type { FileGroup, FileInventory } from './parse-file';
import { defaultVariables } from './variables';
import { byCodePoint, type VarsFolder, type VarsLayer } from './vars-files';

/** The variable folders that apply, lowest precedence first: the inventory's, then the playbook's. */
export type VarsFolders = readonly VarsFolder[];

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
): Inventory {
  adoptOrphans(file.groups);
  const loop = findLoop(file.groups);
  if (loop) {
    const at = file.groups.get(loop[0]!)!.path;
    diagnostics.push(
      diagnosticAt(source, at, `groups form a loop: ${loop.join(' → ')}`, { key: true }),
    );
    return { file: source.file, hosts: new Map(), groups: new Map(), sources };
  }
  const groups = withDepths(file.groups);
  fillUngrouped(file, groups);
  const hosts = new Map<string, Host>();
  for (const entry of file.entries) {
    if (hosts.has(entry.host)) continue;
    const member = groupsOf(entry.host, groups);
    const ordered = sortGroups([...member].filter((g) => g !== 'all').map((g) => groups.get(g)!));
    const layers = hostLayers(entry.host, ordered, file, source.file, folders);
    hosts.set(entry.host, {
      name: entry.host,
      groups: ['all', ...ordered.map((g) => g.name)],
      path: entry.path,
      ...applyLayers(entry.host, layers),
    });
  }
  return { file: source.file, hosts, groups, sources };
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
  file: FileInventory,
  inventoryFile: string,
  folders: VarsFolders,
): VarsLayer[] {
  const fileLayer = (g: FileGroup): VarsLayer => ({
    file: inventoryFile,
    vars: g.vars,
    paths: g.varPaths,
  });
  const groupFile = (name: string) => fileLayer(file.groups.get(name)!);
  return [
    groupFile('all'),
    ...ordered.map((g) => groupFile(g.name)),
    ...folders.flatMap((f) => f.layers('group_vars', 'all')),
    ...folders.flatMap((f) => ordered.flatMap((g) => f.layers('group_vars', g.name))),
    ...file.entries
      .filter((e) => e.host === host)
      .map((e) => ({ file: inventoryFile, vars: e.vars, paths: e.varPaths })),
    ...folders.flatMap((f) => f.layers('host_vars', host)),
  ];
}

function applyLayers(
  host: string,
  layers: VarsLayer[],
): { vars: Record<string, unknown>; origins: Record<string, Origin> } {
  const vars: Record<string, unknown> = defaultVariables();
  const origins: Record<string, Origin> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer.vars)) {
      vars[k] = v;
      origins[k] = { file: layer.file, path: layer.paths[k] ?? [] };
    }
  }
  if (vars.address === undefined) vars.address = host;
  if (vars.private_address === undefined) vars.private_address = vars.address;
  return { vars, origins };
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
function fillUngrouped(file: FileInventory, groups: Map<string, Group>): void {
  const ungrouped = groups.get('ungrouped')!;
  const hostNames = [...new Set(file.entries.map((e) => e.host))];
  for (const host of hostNames) {
    const direct = [...groups.values()].filter(
      (g) => g.name !== 'all' && g.name !== 'ungrouped' && g.hosts.includes(host),
    );
    const listed = ungrouped.hosts.includes(host);
    if (direct.length > 0 && listed) ungrouped.hosts = ungrouped.hosts.filter((h) => h !== host);
    else if (direct.length === 0 && !listed) ungrouped.hosts.push(host);
  }
}

/** The groups a host is in, directly or through a child group, `all` included. */
function groupsOf(host: string, groups: Map<string, Group>): Set<string> {
  const parents = (child: string) =>
    [...groups.values()].filter((g) => g.children.includes(child)).map((g) => g.name);
  const out = new Set<string>(['all']);
  const stack = [...groups.values()].filter((g) => g.hosts.includes(host)).map((g) => g.name);
  while (stack.length > 0) {
    const g = stack.pop()!;
    if (out.has(g)) continue;
    out.add(g);
    stack.push(...parents(g));
  }
  return out;
}
