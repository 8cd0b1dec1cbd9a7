/**
 * What a host is in the site, from its groups and variables: the one place
 * that reads roles, for the rules, `status` and `graph`. Pure.
 */
import { hostsOfGroup, type Host, type Inventory } from '../inventory/model';

/** Group names the site's playbook gives a meaning to. */
export const LB_GROUP = 'lb';
export const WEB_GROUP = 'web';

export type DatabaseRole = 'primary' | 'replica' | 'none';

/** A load balancer (HAProxy, and keepalived with lb_virtual_ip). */
export const isLb = (host: Host): boolean => host.groups.includes(LB_GROUP);

/** A web host (Nginx and the application). */
export const isWeb = (host: Host): boolean => host.groups.includes(WEB_GROUP);

/** The host's database role; `none` when it runs no database server. */
export const dbRole = (host: Host): DatabaseRole =>
  (host.vars.mysql_role as DatabaseRole | undefined) ?? 'none';

/** The systemd unit of the host's database server. */
export const databaseService = (host: Host): string =>
  host.vars.mysql_flavor === 'mariadb' ? 'mariadb' : 'mysql';

/** The load balancers, in inventory order. */
export function lbHosts(inventory: Inventory): Host[] {
  return [...inventory.hosts.values()].filter(isLb);
}

/** The web hosts, in inventory order. */
export function webHosts(inventory: Inventory): Host[] {
  return [...inventory.hosts.values()].filter(isWeb);
}

/** The database hosts (primary and replicas), in inventory order. */
export function databaseHosts(inventory: Inventory): Host[] {
  return [...inventory.hosts.values()].filter((h) => dbRole(h) !== 'none');
}

/**
 * A host that takes the database backups: with `backups` on, the one
 * `backup_host` names, or else every replica (as the site playbook's
 * "Database backups" play chooses them).
 */
export function isBackupHost(host: Host): boolean {
  if (host.vars.backups !== true || dbRole(host) === 'none') return false;
  const chosen = host.vars.backup_host;
  return chosen === undefined ? dbRole(host) === 'replica' : chosen === host.name;
}

/** The hosts that take backups, in inventory order. */
export function backupHosts(inventory: Inventory): Host[] {
  return [...inventory.hosts.values()].filter(isBackupHost);
}

/** The group whose hosts run Prometheus and Alertmanager. */
export const MONITOR_GROUP = 'monitor';

/**
 * The hosts that run Prometheus and Alertmanager (with `monitoring` on): the
 * monitor group's, or with no such group the first load balancer, as the
 * site playbook's "Monitoring" play chooses them.
 */
export function monitorHosts(inventory: Inventory): Host[] {
  const names = inventory.groups.has(MONITOR_GROUP)
    ? hostsOfGroup(inventory, MONITOR_GROUP)
    : hostsOfGroup(inventory, LB_GROUP).slice(0, 1);
  return names.map((n) => inventory.hosts.get(n)!).filter((h) => h.vars.monitoring === true);
}
