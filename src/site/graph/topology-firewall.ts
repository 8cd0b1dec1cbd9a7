/** What each host's firewall lets in (nftables.conf.hbs), and what it does with an edge's traffic. */
import { isIpv4, isIpv6 } from '../../core/ip-family';
import type { Host } from '../../inventory/model';
import { dbRole, isLb, isWeb, MONITOR_GROUP } from '../roles';
import type { Firewall, Opening } from './topology-model';
import { isSet, num, str } from './host-vars';

/** `HTTP/HTTPS 80, 443 from anywhere`, `SSH 22 from 198.51.100.0/24`, `VRRP from 10.0.0.10`. */
export function describeOpening(opening: Opening): string {
  const head = [opening.what, opening.ports.join(', ')].filter(Boolean).join(' ');
  const from =
    opening.from === 'anywhere'
      ? 'anywhere'
      : opening.from.length > 0
        ? opening.from.join(', ')
        : 'nowhere (closed)';
  return `${head} from ${from}`;
}

/** IPv4 addresses then IPv6 ones, each once, names left out: how the ruleset lists sources. */
function ruleSources(addresses: string[]): string[] {
  const unique = [...new Set(addresses)];
  return [...unique.filter(isIpv4), ...unique.filter(isIpv6)];
}

/** Hosts that other hosts' firewalls let in for the site's own jobs. */
export interface FirewallPeers {
  /** The monitor hosts: they scrape every host's exporters. */
  monitors: Host[];
  /** The backup hosts: they copy to backup_copy_host over SSH. */
  backupHosts: Host[];
}

export function firewallOf(host: Host, lbs: Host[], webs: Host[], peers: FirewallPeers): Firewall {
  if (!isLb(host) && !isWeb(host) && !host.groups.includes(MONITOR_GROUP))
    return { on: false, why: 'no firewall (the site sets one on lb, web and monitor hosts only)' };
  if (host.vars.firewall !== true) return { on: false, why: 'no firewall (firewall: false)' };
  const admins = ruleSources((host.vars.firewall_admin_sources as string[] | undefined) ?? []);
  const openings: Opening[] = [
    { id: 'ssh', what: 'SSH', ports: [num(host, 'ssh_port')], from: admins },
  ];
  if (isLb(host)) {
    const tls = host.vars.lb_tls === true;
    openings.push({
      id: 'site',
      what: tls ? 'HTTP/HTTPS' : 'HTTP',
      ports: tls ? [num(host, 'lb_port'), num(host, 'lb_https_port')] : [num(host, 'lb_port')],
      from: 'anywhere',
    });
    if (isSet(host, 'lb_virtual_ip'))
      openings.push({
        id: 'vrrp',
        what: 'VRRP',
        ports: [],
        from: ruleSources(lbs.map((lb) => str(lb, 'private_address'))).filter(isIpv4),
      });
    if (isSet(host, 'lb_stats_password'))
      openings.push({
        id: 'stats',
        what: 'stats',
        ports: [num(host, 'lb_stats_port')],
        from: admins,
      });
  }
  if (isWeb(host))
    openings.push({
      id: 'web',
      what: 'HTTP',
      ports: [num(host, 'web_port')],
      from: ruleSources([
        ...lbs.map((lb) => str(lb, 'private_address')),
        ...lbs.map((lb) => str(lb, 'address')),
      ]),
    });
  if (dbRole(host) !== 'none')
    openings.push({
      id: 'mysql',
      what: 'MySQL',
      ports: [num(host, 'mysql_port')],
      from: ruleSources([
        ...webs.filter((w) => dbRole(w) !== 'none').map((w) => str(w, 'private_address')),
        ...webs.map((w) => str(w, 'private_address')),
      ]),
    });
  openings.push(...peerOpenings(host, peers));
  return { on: true, openings };
}

/** The exporters, from the monitor hosts; on the copy host, SSH from the backup hosts. */
function peerOpenings(host: Host, peers: FirewallPeers): Opening[] {
  const out: Opening[] = [];
  if (host.vars.backup_copy_host === host.name)
    out.push({
      id: 'backup-copy',
      what: 'SSH (backup copies)',
      ports: [num(host, 'ssh_port')],
      from: ruleSources(peers.backupHosts.map((b) => str(b, 'private_address'))),
    });
  if (host.vars.monitoring === true) {
    const ports = [num(host, 'node_exporter_port')];
    if (isLb(host)) ports.push(num(host, 'haproxy_exporter_port'));
    if (isWeb(host)) ports.push(num(host, 'nginx_exporter_port'));
    if (isWeb(host) && dbRole(host) !== 'none') ports.push(num(host, 'mysqld_exporter_port'));
    out.push({
      id: 'exporters',
      what: 'exporters',
      ports,
      from: ruleSources(peers.monitors.map((m) => str(m, 'private_address'))),
    });
  }
  return out;
}

/** What `target`'s firewall does with traffic from `source` to one of its openings. */
export function firewallNote(
  firewall: Firewall,
  id: Opening['id'],
  source: string | 'anywhere',
): string | undefined {
  if (!firewall.on) return undefined;
  const opening = firewall.openings.find((o) => o.id === id);
  if (!opening) return 'firewall: closed';
  const admitted =
    opening.from === 'anywhere' || (source !== 'anywhere' && opening.from.includes(source));
  return `${admitted ? 'firewall' : 'firewall DROPS this'}: ${describeOpening(opening)}`;
}
