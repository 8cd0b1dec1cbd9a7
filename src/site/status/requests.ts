/**
 * `status`: what to ask each host, in one gather (one round trip): its
 * services, and by its roles HAProxy's runtime API, the site and backends
 * over HTTP, the database's GTIDs and replication, the backups' records and
 * the alerts firing. Pure.
 */
import type { FactRequest } from '../../facts/types';
import type { Host, Inventory } from '../../inventory/model';
import { READ_ONLY, REPLICA_STATUS } from '../../modules/mysql-common';
import {
  databaseService,
  dbRole,
  isBackupHost,
  isLb,
  isWeb,
  monitorHosts,
  webHosts,
} from '../roles';
import { alertRequests, MONITOR_SERVICES } from './alerts';
import { BACKUP_TIMERS, backupRequests } from './backups';

const v = (h: Host, name: string) => h.vars[name];

/** The services the site playbook runs on a host, by its roles. */
export function managedServices(host: Host, monitors: readonly Host[] = []): string[] {
  const out: string[] = [];
  if (isLb(host)) out.push('haproxy');
  if (isLb(host) && v(host, 'lb_virtual_ip') !== undefined) out.push('keepalived');
  if (isWeb(host)) out.push('nginx', String(v(host, 'app_service')));
  if (dbRole(host) !== 'none') out.push(databaseService(host));
  if (isBackupHost(host)) out.push(...BACKUP_TIMERS);
  if (monitors.includes(host)) out.push(...MONITOR_SERVICES);
  return out;
}

/** Exits 0 when the host has the address on one of its interfaces. */
export const holdsAddress = (address: string) => `ip -o addr show | grep -qF ' ${address}/'`;
/** The GTIDs a server has applied: MySQL's set, or MariaDB's binlog and replica positions. */
export const gtidQuery = (host: Host) =>
  v(host, 'mysql_flavor') === 'mariadb'
    ? 'SELECT @@GLOBAL.gtid_binlog_pos, @@GLOBAL.gtid_slave_pos'
    : 'SELECT @@GLOBAL.gtid_executed';

/** Through the lb, as users come in (pinned to the lb itself). */
export function siteUrl(lb: Host): { url: string; resolve: string; insecure: boolean } {
  const domain = String(v(lb, 'domain'));
  const tls = v(lb, 'lb_tls') === true;
  const port = Number(tls ? v(lb, 'lb_https_port') : v(lb, 'lb_port'));
  return {
    url: `${tls ? 'https' : 'http'}://${domain}:${port}${String(v(lb, 'health_path'))}`,
    resolve: `${domain}:${port}:127.0.0.1`,
    // A local probe of the path through HAProxy; the certificate is not its subject.
    insecure: tls,
  };
}

export const backendUrl = (web: Host) =>
  `http://${String(v(web, 'private_address'))}:${Number(v(web, 'web_port'))}${String(v(web, 'health_path'))}`;

/** Everything `status` asks one host, in one gather. */
export function statusRequests(inventory: Inventory, name: string): FactRequest[] {
  const host = inventory.hosts.get(name)!;
  const monitors = monitorHosts(inventory);
  const out: FactRequest[] = [{ kind: 'units', names: managedServices(host, monitors) }];
  if (isLb(host) && v(host, 'lb_virtual_ip') !== undefined)
    out.push({ kind: 'exit', script: holdsAddress(String(v(host, 'lb_virtual_ip'))) });
  if (isLb(host)) {
    out.push({ kind: 'haproxy_stat', port: Number(v(host, 'lb_runtime_api_port')) });
    out.push({ kind: 'http', ...siteUrl(host) });
    for (const web of webHosts(inventory)) out.push({ kind: 'http', url: backendUrl(web) });
  }
  if (dbRole(host) !== 'none') out.push({ kind: 'sql', query: gtidQuery(host) });
  if (dbRole(host) === 'replica') out.push({ kind: 'sql', ...REPLICA_STATUS });
  if (dbRole(host) === 'primary') out.push({ kind: 'sql', ...READ_ONLY });
  if (isBackupHost(host)) out.push(...backupRequests(host));
  if (monitors.includes(host)) out.push(...alertRequests(host));
  return out;
}
