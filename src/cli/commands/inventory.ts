import { UsageError } from '../../core/errors';
import { requireInventory } from '../../engine/project';
import type { Inventory } from '../../inventory/model';
import { describeSecretRef } from '../../inventory/secrets';
import { isSecretRef } from '../../inventory/secret-ref';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';

export interface InventoryOptions {
  inventory: string;
  playbook: string;
  /** True when --playbook was given: the file must then exist. */
  playbookGiven?: boolean;
  list?: boolean;
  graph?: boolean;
  host?: string;
}

/** Shows the merged inventory: every host (JSON), the group tree, or one host. */
export async function runInventory(opts: InventoryOptions, io: Io): Promise<number> {
  if (!opts.list && !opts.graph && !opts.host)
    throw new UsageError('give one of --list, --graph or --host NAME');
  // Variables the playbook declares are allowed; without a playbook only the built-in ones are.
  const inventory = requireInventory(opts.inventory, opts.playbook, { given: opts.playbookGiven });
  if (opts.graph) {
    io.out(graph(inventory));
  } else if (opts.host) {
    const host = inventory.hosts.get(opts.host);
    if (!host) throw new UsageError(`no host named ${opts.host} in ${opts.inventory}`);
    io.out(JSON.stringify(printable(host.vars), null, 2));
  } else {
    const hostvars: Record<string, unknown> = {};
    for (const h of inventory.hosts.values()) hostvars[h.name] = printable(h.vars);
    const groups: Record<string, { hosts: string[]; children: string[] }> = {};
    for (const g of inventory.groups.values())
      groups[g.name] = { hosts: g.hosts, children: g.children };
    io.out(JSON.stringify({ _meta: { hostvars }, ...groups }, null, 2));
  }
  return ExitCode.OK;
}

/** Secret references are shown as references, never resolved. */
function printable(vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars))
    out[k] = isSecretRef(v) ? `<secret ${describeSecretRef(v)}>` : v;
  return out;
}

/** Ansible's --graph layout. */
export function graph(inventory: Inventory): string {
  const lines: string[] = ['@all:'];
  const walk = (group: string, indent: string, trail: Set<string>) => {
    const g = inventory.groups.get(group)!;
    for (const child of g.children) {
      if (trail.has(child)) continue;
      lines.push(`${indent}|--@${child}:`);
      walk(child, `${indent}|  `, new Set([...trail, child]));
    }
    for (const h of g.hosts) lines.push(`${indent}|--${h}`);
  };
  walk('all', '  ', new Set(['all']));
  return lines.join('\n');
}
