import type { Diagnostic } from '../core/errors';
import { didYouMean } from '../core/suggest';
import { diagnosticAt, typeOf, type PathSegment, type YamlSource } from '../core/yaml-source';
import { expandHostRange } from './host-range';
import {
  GROUP_PRIORITY,
  isMapping,
  laterRefused,
  readVars,
  type Refused,
  type VarsContext,
} from './read-vars';
import { ALIASES, isKnownVariable, type Vocabulary } from './variables';

/** A group as the inventory file writes it, before merging. */
export interface FileGroup {
  name: string;
  /** Hosts listed directly under it, in file order. */
  hosts: string[];
  /** Child groups, in the order they were added. */
  children: string[];
  vars: Record<string, unknown>;
  /** Where each variable's last definition stands. */
  varPaths: Record<string, PathSegment[]>;
  /** Variables whose value was refused. */
  refused: Refused;
  /** Where the group is first defined. */
  path: PathSegment[];
  priority: number;
}

/** One host mapping in the file: a host may have several. */
export interface HostEntry {
  host: string;
  vars: Record<string, unknown>;
  varPaths: Record<string, PathSegment[]>;
  refused: Refused;
  path: PathSegment[];
}

export interface FileInventory {
  /** In the order Ansible creates them: `all`, `ungrouped`, then as the file names them. */
  groups: Map<string, FileGroup>;
  entries: HostEntry[];
  /** True after an error in the file's shape (not in a variable's value). */
  structural: boolean;
}

const GROUP_KEYS = ['hosts', 'vars', 'children'] as const;
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Ansible allows a leading underscore in group names (`_meta` aside). */
const GROUP_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Reads the groups, hosts and variables of an inventory file, as Ansible's YAML plugin does. */
export function parseInventoryFile(
  source: YamlSource,
  vocabulary: Vocabulary,
  diagnostics: Diagnostic[],
): FileInventory {
  return new FileReader({ source, ...vocabulary, diagnostics }).read();
}

class FileReader {
  private readonly groups = new Map<string, FileGroup>();
  private readonly entries: HostEntry[] = [];
  /** Each group's hosts as a set: membership in constant time, so reading stays linear. */
  private readonly members = new Map<string, Set<string>>();
  private structural = false;

  constructor(private readonly ctx: VarsContext) {}

  read(): FileInventory {
    const data = this.ctx.source.data;
    this.group('all', []);
    this.group('ungrouped', []);
    this.groups.get('all')!.children.push('ungrouped');
    if (!isMapping(data)) {
      this.error([], `an inventory is a mapping of groups (e.g. "all:"), got ${typeOf(data)}`);
    } else {
      // Top-level groups without a parent become children of `all` when merging.
      for (const [name, value] of Object.entries(data)) this.readGroup(name, value, [name]);
    }
    return { groups: this.groups, entries: this.entries, structural: this.structural };
  }

  private group(name: string, path: PathSegment[]): FileGroup {
    let group = this.groups.get(name);
    if (!group) {
      group = {
        name,
        hosts: [],
        children: [],
        vars: {},
        varPaths: {},
        refused: new Set(),
        path,
        priority: 1,
      };
      this.groups.set(name, group);
    }
    return group;
  }

  private readGroup(name: string, value: unknown, path: PathSegment[]): FileGroup | undefined {
    if (!GROUP_NAME.test(name) || name === '_meta') {
      this.error(path, 'group names use letters, digits, ".", "_" and "-"', true);
      return undefined;
    }
    const group = this.group(name, path);
    if (value === null || value === undefined) return group;
    if (!isMapping(value)) {
      this.error(path, `a group is a mapping with hosts, vars and children, got ${typeOf(value)}`);
      return group;
    }
    for (const key of Object.keys(value)) {
      if ((GROUP_KEYS as readonly string[]).includes(key)) continue;
      const hint = didYouMean(key, GROUP_KEYS);
      const asVar =
        !hint && (isKnownVariable(this.ctx.variables, key) || key in ALIASES)
          ? ' (variables go under "vars:")'
          : '';
      this.error([...path, key], `unknown field${hint}${asVar}`, true);
    }
    // In file order, as Ansible reads them.
    for (const [key, section] of Object.entries(value)) {
      const at = [...path, key];
      if (key === 'vars') this.readGroupVars(group, section, at);
      else if (key === 'hosts') this.readHosts(group, asNames(section), at);
      else if (key === 'children') this.readChildren(group, asNames(section), at);
    }
    return group;
  }

  private readGroupVars(group: FileGroup, value: unknown, path: PathSegment[]): void {
    if (value === null || value === undefined) return;
    let rest = value;
    if (isMapping(value) && GROUP_PRIORITY in value) {
      const { [GROUP_PRIORITY]: priority, ...others } = value;
      rest = others;
      const n = typeof priority === 'string' ? Number(priority) : priority;
      if (typeof n === 'number' && Number.isInteger(n)) group.priority = n;
      else this.error([...path, GROUP_PRIORITY], `${GROUP_PRIORITY} is a whole number`);
    }
    const read = readVars(this.ctx, rest, path);
    group.refused = laterRefused(group.refused, read);
    Object.assign(group.vars, read.vars);
    Object.assign(group.varPaths, read.paths);
  }

  private readHosts(group: FileGroup, hosts: unknown, path: PathSegment[]): void {
    if (hosts === undefined || hosts === null) return;
    if (!isMapping(hosts)) {
      this.error(path, `"hosts" is a mapping of host names, got ${typeOf(hosts)}`);
      return;
    }
    for (const [pattern, hostVars] of Object.entries(hosts)) {
      const at = [...path, pattern];
      const { name, port } = splitPort(pattern);
      const expanded = expandHostRange(name);
      if ('error' in expanded) {
        this.error(at, expanded.error, true);
        continue;
      }
      const bad = expanded.hosts.find((h) => !HOST_NAME.test(h));
      if (bad !== undefined) {
        this.error(at, 'host names use letters, digits, ".", "_" and "-"', true);
        continue;
      }
      const read =
        hostVars === null || hostVars === undefined
          ? { vars: {}, paths: {}, refused: new Set<string>() }
          : readVars(this.ctx, hostVars, at);
      if (port !== undefined) {
        read.vars = { ssh_port: port, ...read.vars };
        read.paths = { ssh_port: at, ...read.paths };
      }
      let members = this.members.get(group.name);
      if (!members) this.members.set(group.name, (members = new Set()));
      for (const host of expanded.hosts) {
        if (!members.has(host)) group.hosts.push(host);
        members.add(host);
        const { vars, paths, refused } = read;
        this.entries.push({ host, vars, varPaths: paths, refused, path: at });
      }
    }
  }

  private readChildren(group: FileGroup, children: unknown, path: PathSegment[]): void {
    if (children === undefined || children === null) return;
    if (!isMapping(children)) {
      this.error(path, `"children" is a mapping of group names, got ${typeOf(children)}`);
      return;
    }
    for (const [name, value] of Object.entries(children)) {
      if (name === group.name || name === 'all') {
        this.error([...path, name], `group "${name}" cannot be its own child`, true);
        continue;
      }
      const child = this.readGroup(name, value, [...path, name]);
      if (child && !group.children.includes(name)) group.children.push(name);
    }
  }

  private error(path: PathSegment[], message: string, key = false): void {
    this.structural = true;
    this.ctx.diagnostics.push(diagnosticAt(this.ctx.source, path, message, { key }));
  }
}

/** Ansible accepts a single name as a string: `hosts: web-01`. */
function asNames(value: unknown): unknown {
  return typeof value === 'string' ? { [value]: null } : value;
}

/** `host:2222` sets the host's port, as in Ansible. */
function splitPort(pattern: string): { name: string; port?: number } {
  const m = /^([^:[\]]+(?:\[[^\]]*\][^:[\]]*)*):(\d{1,5})$/.exec(pattern);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) return { name: pattern };
  return { name: m[1]!, port: Number(m[2]) };
}
