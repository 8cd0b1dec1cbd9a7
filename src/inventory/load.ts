import * as path from 'node:path';
import { z } from 'zod';
import type { Diagnostic } from '../core/errors';
import type { Checked } from '../core/result';
import { closest, didYouMean } from '../core/suggest';
import {
  diagnosticAt,
  fieldName,
  parseYaml,
  readSourceFile,
  typeOf,
  zodDiagnostics,
  type PathSegment,
  type YamlSource,
} from '../core/yaml-source';
import type { Group, Host, Inventory } from './model';
import { checkRules } from './rules';
import { looksSecret, isSecretRef } from './secret-ref';
import {
  ALIASES,
  VARIABLES,
  defaultVariables,
  isKnownVariable,
  type VariableSpec,
} from './variables';

export interface LoadOptions {
  /** Variables a playbook declares (its `vars:` keys): allowed in the inventory. */
  declared?: Iterable<string>;
}

const GROUP_KEYS = ['hosts', 'vars', 'children'] as const;
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Loads and checks an inventory file. Errors and warnings come back as values. */
export function loadInventory(
  file: string,
  options: LoadOptions = {},
): Checked<Inventory> & { partial?: Inventory } {
  const read = readSourceFile(file);
  if (read.text === undefined) return { value: undefined, diagnostics: read.diagnostics };
  return parseInventory(file, read.text, options);
}

/**
 * `partial`: the inventory also when some variables have errors (for
 * `validate`); absent when its shape (groups, hosts) did not load.
 */
export function parseInventory(
  file: string,
  text: string,
  options: LoadOptions = {},
): Checked<Inventory> & { partial?: Inventory } {
  const parsed = parseYaml(file, text);
  if (!parsed.source) return { value: undefined, diagnostics: parsed.diagnostics };
  const builder = new InventoryBuilder(parsed.source, new Set(options.declared ?? []));
  const inventory = builder.build();
  const diagnostics = builder.diagnostics;
  // The rules run beside variable errors too (every error in one run), but
  // never judge a variable whose value was refused: that would be a knock-on.
  if (!builder.structural) {
    const invalid = builder.invalidVariables;
    diagnostics.push(
      ...checkRules(inventory, parsed.source, (host, v) => invalid.get(host.name)?.has(v) ?? false),
    );
  }
  const failed = diagnostics.some((d) => d.severity === 'error');
  // As far as it loaded: only when its shape did (else hosts or groups are missing).
  const partial = builder.structural ? undefined : inventory;
  return { value: failed ? undefined : inventory, partial, diagnostics };
}

interface HostEntry {
  host: string;
  vars: Record<string, unknown>;
  path: PathSegment[];
}

class InventoryBuilder {
  readonly diagnostics: Diagnostic[] = [];
  private readonly groups = new Map<string, Group>();
  private readonly entries: HostEntry[] = [];
  /** Each group's hosts as a set: membership in constant time, so loading stays linear. */
  private readonly members = new Map<string, Set<string>>();
  /** Variables refused, by the field of the mapping that defines them. */
  private readonly refused = new Map<string, Set<string>>();
  /** True after an error in the shape of the inventory (not in a variable's value). */
  structural = false;
  /** Each host's variables whose value was refused somewhere it inherits from. */
  readonly invalidVariables = new Map<string, Set<string>>();
  private readonly knownVariables: string[];

  constructor(
    private readonly source: YamlSource,
    private readonly declared: Set<string>,
  ) {
    this.knownVariables = [...Object.keys(VARIABLES), ...declared];
  }

  build(): Inventory {
    const data = this.source.data;
    if (!isMapping(data)) {
      this.error([], `an inventory is a mapping of groups (e.g. "all:"), got ${typeOf(data)}`);
      return this.result();
    }
    const all: Group = { name: 'all', hosts: [], children: [], vars: {}, path: [], depth: 0 };
    this.groups.set('all', all);
    for (const [name, value] of Object.entries(data)) {
      if (name === 'all') {
        // Where its variables are defined: `all.vars.NAME`.
        all.path = ['all'];
        this.readGroup(all, value, ['all']);
      } else {
        // Ansible allows other groups at the top level: they are children of `all`.
        all.children.push(name);
        this.readChildGroup(name, value, [name], 1);
      }
    }
    return this.result();
  }

  private result(): Inventory {
    const hosts = new Map<string, Host>();
    const defaults = defaultVariables();
    const order = [...this.groups.values()].sort(
      (a, b) => a.depth - b.depth || a.name.localeCompare(b.name),
    );
    const entriesOf = new Map<string, HostEntry[]>();
    for (const entry of this.entries) {
      const list = entriesOf.get(entry.host);
      if (list) list.push(entry);
      else entriesOf.set(entry.host, [entry]);
      if (!hosts.has(entry.host)) {
        hosts.set(entry.host, {
          name: entry.host,
          vars: {},
          groups: [],
          origins: {},
          path: entry.path,
        });
      }
    }
    for (const host of hosts.values()) {
      const member = new Set(this.groupsOf(host.name));
      host.groups = order.filter((g) => member.has(g.name)).map((g) => g.name);
      const vars: Record<string, unknown> = { ...defaults };
      const origins: Record<string, PathSegment[]> = {};
      for (const g of order) {
        if (!member.has(g.name)) continue;
        for (const [k, v] of Object.entries(g.vars)) {
          vars[k] = v;
          origins[k] = [...g.path, 'vars', k];
        }
      }
      const invalid = new Set<string>();
      const refused = (at: PathSegment[]) =>
        this.refused.get(fieldName(at))?.forEach((v) => invalid.add(v));
      for (const g of order) if (member.has(g.name)) refused([...g.path, 'vars']);
      for (const e of entriesOf.get(host.name) ?? []) refused(e.path);
      // private_address defaults to address: a refused address leaves it unknown too.
      if (invalid.has('address') && !origins.private_address) invalid.add('private_address');
      if (invalid.size > 0) this.invalidVariables.set(host.name, invalid);
      for (const e of entriesOf.get(host.name) ?? []) {
        for (const [k, v] of Object.entries(e.vars)) {
          vars[k] = v;
          origins[k] = [...e.path, k];
        }
      }
      if (vars.address === undefined) vars.address = host.name;
      if (vars.private_address === undefined) vars.private_address = vars.address;
      host.vars = vars;
      host.origins = origins;
    }
    return { file: this.source.file, hosts, groups: this.groups };
  }

  private groupsOf(host: string): string[] {
    const direct = [...this.groups.values()]
      .filter((g) => this.members.get(g.name)?.has(host))
      .map((g) => g.name);
    const out = new Set<string>(['all']);
    const parents = (child: string) =>
      [...this.groups.values()].filter((g) => g.children.includes(child)).map((g) => g.name);
    const stack = [...direct];
    while (stack.length > 0) {
      const g = stack.pop()!;
      if (out.has(g)) continue;
      out.add(g);
      stack.push(...parents(g));
    }
    return [...out];
  }

  private readChildGroup(name: string, value: unknown, path: PathSegment[], depth: number): void {
    if (!HOST_NAME.test(name)) {
      this.error(path, 'group names use letters, digits, ".", "_" and "-"', true);
      return;
    }
    const existing = this.groups.get(name);
    const group = existing ?? { name, hosts: [], children: [], vars: {}, path, depth };
    if (!existing) this.groups.set(name, group);
    else group.depth = Math.max(group.depth, depth);
    this.readGroup(group, value, path);
  }

  private readGroup(group: Group, value: unknown, path: PathSegment[]): void {
    if (value === null || value === undefined) return;
    if (!isMapping(value)) {
      this.error(path, `a group is a mapping with hosts, vars and children, got ${typeOf(value)}`);
      return;
    }
    for (const key of Object.keys(value)) {
      if (!(GROUP_KEYS as readonly string[]).includes(key)) {
        const hint = didYouMean(key, GROUP_KEYS);
        const asVar =
          !hint && (isKnownVariable(key) || key in ALIASES) ? ' (variables go under "vars:")' : '';
        this.error([...path, key], `unknown field${hint}${asVar}`, true);
      }
    }
    // In file order, so hosts keep the order an operator wrote them in.
    for (const key of Object.keys(value)) {
      if (key === 'vars') this.readGroupVars(group, value.vars, [...path, 'vars']);
      else if (key === 'hosts') this.readGroupHosts(group, value.hosts, [...path, 'hosts']);
      else if (key === 'children')
        this.readGroupChildren(group, value.children, [...path, 'children']);
    }
  }

  private readGroupVars(group: Group, vars: unknown, path: PathSegment[]): void {
    if (vars === undefined || vars === null) return;
    group.vars = { ...group.vars, ...this.readVars(vars, path) };
  }

  private readGroupHosts(group: Group, hosts: unknown, hostsPath: PathSegment[]): void {
    if (hosts === undefined || hosts === null) return;
    if (!isMapping(hosts)) {
      this.error(hostsPath, `"hosts" is a mapping of host names, got ${typeOf(hosts)}`);
      return;
    }
    for (const [host, hostVars] of Object.entries(hosts)) {
      const hostPath = [...hostsPath, host];
      if (!HOST_NAME.test(host)) {
        this.error(hostPath, 'host names use letters, digits, ".", "_" and "-"', true);
        continue;
      }
      const members = this.members.get(group.name) ?? new Set<string>();
      this.members.set(group.name, members);
      if (!members.has(host)) group.hosts.push(host);
      members.add(host);
      const vars =
        hostVars === null || hostVars === undefined ? {} : this.readVars(hostVars, hostPath);
      this.entries.push({ host, vars, path: hostPath });
    }
  }

  private readGroupChildren(group: Group, children: unknown, childrenPath: PathSegment[]): void {
    if (children === undefined || children === null) return;
    if (!isMapping(children)) {
      this.error(childrenPath, `"children" is a mapping of group names, got ${typeOf(children)}`);
      return;
    }
    for (const [child, childValue] of Object.entries(children)) {
      if (child === group.name || child === 'all') {
        this.error([...childrenPath, child], `group "${child}" cannot be its own child`, true);
        continue;
      }
      if (!group.children.includes(child)) group.children.push(child);
      this.readChildGroup(child, childValue, [...childrenPath, child], group.depth + 1);
    }
  }

  /** Checks a variables mapping; returns it with Ansible aliases renamed. */
  private readVars(value: unknown, path: PathSegment[]): Record<string, unknown> {
    if (!isMapping(value)) {
      this.error(path, `variables are a mapping of names to values, got ${typeOf(value)}`);
      return {};
    }
    const out: Record<string, unknown> = {};
    for (const [rawKey, v] of Object.entries(value)) {
      const key = ALIASES[rawKey] ?? rawKey;
      const varPath = [...path, rawKey];
      if (isKnownVariable(key)) {
        const spec: VariableSpec = VARIABLES[key];
        if (spec.secret && typeof v === 'string') {
          this.variableError(path, key, varPath, plainSecretMessage(key));
          continue;
        }
        const result = (spec.schema as z.ZodType).safeParse(v);
        if (!result.success) {
          this.refuse(path, key);
          this.diagnostics.push(
            ...zodDiagnostics(this.source, varPath, result.error, () => ['env', 'file', 'vault']),
          );
          continue;
        }
        out[key] = result.data;
      } else if (this.declared.has(key)) {
        if (looksSecret(key) && typeof v === 'string' && !isSecretRef(v)) {
          this.variableError(path, key, varPath, plainSecretMessage(key));
          continue;
        }
        out[key] = v;
      } else {
        const meant = closest(rawKey, this.knownVariables);
        const hint = didYouMean(rawKey, this.knownVariables);
        const declare = hint ? '' : ' (declare your own variables in the playbook\'s "vars:")';
        // The variable it likely meant is then missing: the rules must not judge it.
        if (meant) this.refuse(path, ALIASES[meant] ?? meant);
        this.diagnostics.push(
          diagnosticAt(this.source, varPath, `unknown variable${hint}${declare}`, { key: true }),
        );
      }
    }
    return out;
  }

  private error(path: PathSegment[], message: string, key = false): void {
    this.structural = true;
    this.diagnostics.push(diagnosticAt(this.source, path, message, { key }));
  }

  private refuse(container: PathSegment[], variable: string): void {
    const at = fieldName(container);
    const set = this.refused.get(at) ?? new Set<string>();
    set.add(variable);
    this.refused.set(at, set);
  }

  private variableError(
    container: PathSegment[],
    variable: string,
    at: PathSegment[],
    message: string,
  ): void {
    this.refuse(container, variable);
    this.diagnostics.push(diagnosticAt(this.source, at, message));
  }
}

function plainSecretMessage(key: string): string {
  return `plain-text secret: "${key}" must be a reference, e.g. { env: ${key.toUpperCase()} }, { file: /path/outside/git } or { vault: ${key} }`;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The folder relative secret files and paths in an inventory are resolved from. */
export function inventoryDir(inventory: Inventory): string {
  return path.dirname(path.resolve(inventory.file));
}
