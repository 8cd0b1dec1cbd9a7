import { formatDiagnostic, UsageError } from '../../core/errors';
import { requireSiteInventory } from '../site-project';
import type { Host, Inventory } from '../../inventory/model';
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

/**
 * Shows the merged inventory as `ansible-inventory` does: every host and group
 * (JSON), the group tree, or one host. A neutral merge: the site's rules run
 * in validate, apply and diff, not here.
 */
export async function runInventory(opts: InventoryOptions, io: Io): Promise<number> {
  if (!opts.list && !opts.graph && !opts.host)
    throw new UsageError('give one of --list, --graph or --host NAME');
  // Variables the playbook declares are allowed; without a playbook only the built-in ones are.
  const inventory = requireSiteInventory(opts.inventory, opts.playbook, {
    rules: false,
    warn: (d) => io.err(formatDiagnostic(d)),
    given: opts.playbookGiven,
  });
  if (opts.graph) {
    io.out(graph(inventory));
  } else if (opts.host) {
    const host = inventory.hosts.get(opts.host);
    if (!host) throw new UsageError(`no host named ${opts.host} in ${opts.inventory}`);
    io.out(JSON.stringify(printable(host), null, 2));
  } else {
    io.out(JSON.stringify(listing(inventory), null, 2));
  }
  return ExitCode.OK;
}

/**
 * ansible-inventory's --list: `_meta.hostvars` (hosts that have variables),
 * then each group's hosts and children, empty ones left out.
 */
export function listing(inventory: Inventory): Record<string, unknown> {
  const hostvars: Record<string, unknown> = {};
  for (const h of inventory.hosts.values()) {
    const vars = printable(h);
    if (Object.keys(vars).length > 0) hostvars[h.name] = vars;
  }
  const groups: Record<string, { hosts?: string[]; children?: string[] }> = {};
  for (const g of inventory.groups.values()) {
    const entry: { hosts?: string[]; children?: string[] } = {};
    if (g.name !== 'all' && g.hosts.length > 0) entry.hosts = g.hosts;
    if (g.children.length > 0) entry.children = g.children;
    if (entry.hosts || entry.children) groups[g.name] = entry;
  }
  return { _meta: { hostvars }, ...groups };
}

/**
 * The variables the inventory sets for a host (not the tool's defaults), by
 * name, as ansible-inventory shows them; secret references shown as references, never
 * resolved.
 */
function printable(host: Host): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(host.vars).sort()) {
    const v = host.vars[k];
    if (host.origins[k] === undefined) continue;
    out[k] = isSecretRef(v) ? `<secret ${describeSecretRef(v)}>` : v;
  }
  return out;
}

/** Ansible's --graph layout: `all`'s hosts are shown under `ungrouped`. */
export function graph(inventory: Inventory): string {
  const lines: string[] = ['@all:'];
  const walk = (group: string, indent: string, trail: Set<string>) => {
    const g = inventory.groups.get(group)!;
    for (const child of g.children) {
      if (trail.has(child)) continue;
      lines.push(`${indent}|--@${child}:`);
      walk(child, `${indent}|  `, new Set([...trail, child]));
    }
    if (group !== 'all') for (const h of g.hosts) lines.push(`${indent}|--${h}`);
  };
  walk('all', '  ', new Set(['all']));
  return lines.join('\n');
}
