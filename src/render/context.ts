import type { Host, Inventory } from '../inventory/model';
import { hostsOfGroup } from '../inventory/model';
import { isSecretRef, type SecretRef } from '../inventory/secret-ref';

/** Turns a secret reference into the string templates see. */
export type SecretValue = (ref: SecretRef, variable: string, host: string) => string;

export interface HostView extends Record<string, unknown> {
  name: string;
}

/**
 * Builds the variables a template or task argument sees for each host of a play:
 * play defaults < inventory (merged), plus
 *   inventory_hostname   the host's name
 *   group_names          the host's groups
 *   groups.<group>       the hosts of each group (each a view with name and variables)
 *   hostvars.<host>      any host's variables
 *   mysql_replica_addresses  the private addresses of the hosts replicating from this one
 * Secret references become strings through `secret` (the real value in a run,
 * a mask in an offline render). The shared parts are computed once per play.
 */
export function contextBuilder(
  inventory: Inventory,
  playVars: Record<string, unknown>,
  secret: SecretValue,
): (hostName: string) => Record<string, unknown> {
  const hostvars: Record<string, HostView> = {};
  for (const h of inventory.hosts.values()) hostvars[h.name] = view(h, playVars, secret);
  // Each database host knows its replicas' addresses (e.g. for the replication user's hosts),
  // indexed by source so that building the views stays linear in the number of hosts.
  const replicasOf = new Map<unknown, string[]>();
  for (const other of Object.values(hostvars)) {
    if (other.mysql_role !== 'replica') continue;
    const list = replicasOf.get(other.mysql_source) ?? [];
    list.push(String(other.private_address));
    replicasOf.set(other.mysql_source, list);
  }
  for (const view of Object.values(hostvars))
    view.mysql_replica_addresses = [...(replicasOf.get(view.name) ?? [])];
  const groups: Record<string, HostView[]> = {};
  for (const g of inventory.groups.keys()) {
    groups[g] = hostsOfGroup(inventory, g).map((h) => hostvars[h]!);
  }
  return (hostName) => {
    const host = inventory.hosts.get(hostName);
    if (!host) throw new Error(`unknown host ${hostName}`);
    const context = withGetters(hostvars[hostName]!);
    context.inventory_hostname = host.name;
    context.group_names = host.groups.filter((g) => g !== 'all');
    context.groups = groups;
    context.hostvars = hostvars;
    return context;
  };
}

/** A host's variables; a secret is looked up only when a template reads it. */
/**
 * Names the tool sets itself in every context (as Ansible's magic variables):
 * an inventory variable of the same name is not seen by templates.
 */
const RESERVED = new Set([
  'name',
  'inventory_hostname',
  'group_names',
  'groups',
  'hostvars',
  'mysql_replica_addresses',
]);

function view(host: Host, playVars: Record<string, unknown>, secret: SecretValue): HostView {
  const out: HostView = { name: host.name };
  for (const [k, v] of Object.entries({ ...playVars, ...host.vars })) {
    if (RESERVED.has(k)) continue;
    if (!isSecretRef(v)) {
      out[k] = v;
      continue;
    }
    let value: string | undefined;
    Object.defineProperty(out, k, {
      enumerable: true,
      get: () => (value ??= secret(v, k, host.name)),
    });
  }
  out.name = host.name;
  return out;
}

/** A shallow copy that keeps lazy secret getters lazy. */
function withGetters(view: HostView): Record<string, unknown> {
  return Object.create(
    Object.getPrototypeOf(view),
    Object.getOwnPropertyDescriptors(view),
  ) as Record<string, unknown>;
}
