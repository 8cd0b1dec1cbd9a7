/**
 * The site an inventory describes, as nodes (the services), host boxes and
 * edges (who talks to whom, with addresses, ports and what the firewall
 * opens). Pure: the merged inventory in, a topology out; nothing is resolved,
 * so no secret is ever needed (a secret variable only counts as set or not).
 *
 * It follows what the site's playbook and templates really set up:
 *   users → HAProxy on each lb (haproxy.cfg.hbs), through keepalived's virtual
 *   address when lb_virtual_ip is set (keepalived.conf.hbs: the first lb is
 *   MASTER) → Nginx on each web host at private_address:web_port → the
 *   application on 127.0.0.1:app_port (nginx.conf.hbs) → reads from the local
 *   database server over its unix socket, writes to the primary over TCP
 *   (app.env.hbs: the primary among the web hosts) → replication from each
 *   replica's mysql_source. The firewall openings are those of
 *   nftables.conf.hbs, on the lb and web hosts with `firewall: true`.
 */
import { isIpv4, isIpv6 } from '../../core/ip-family';
import type { Host, Inventory } from '../../inventory/model';
import { dbRole, isLb, isWeb, lbHosts, webHosts } from '../roles';

/** The columns of the picture, left to right. */
export type Tier = 'users' | 'vip' | 'lb' | 'nginx' | 'app' | 'mysql';

export type NodeKind = 'users' | 'vip' | 'haproxy' | 'keepalived' | 'nginx' | 'app' | 'mysql';

export interface TopologyNode {
  /** `users`, `vip:<address>`, or `<host>/<service>`. */
  id: string;
  kind: NodeKind;
  tier: Tier;
  /** The host whose box holds it (none for the users and a virtual address). */
  host?: string;
  title: string;
  details: string[];
}

/** One accept rule of a host's firewall: ports (none for VRRP) from sources. */
export interface Opening {
  id: 'ssh' | 'site' | 'vrrp' | 'stats' | 'web' | 'mysql';
  /** What it is for, e.g. `SSH`, `HTTP/HTTPS`, `MySQL`. */
  what: string;
  ports: number[];
  /** Addresses or prefixes, IPv4 first; `anywhere` for the site's ports. */
  from: string[] | 'anywhere';
}

export type Firewall = { on: true; openings: Opening[] } | { on: false; why: string };

export interface TopologyHost {
  name: string;
  address: string;
  privateAddress: string;
  /** `lb`, `web`, and the database role when it has one. */
  roles: string[];
  firewall: Firewall;
  /** The ids of its services, in the order of the tiers. */
  nodes: string[];
  /** Anything else worth saying about the host. */
  notes: string[];
}

export type EdgeKind =
  'site' | 'vip' | 'backend' | 'proxy' | 'db-local' | 'db-write' | 'replication';

export interface TopologyEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** Protocol, address and port, one line each. */
  label: string[];
  /** What the target host's firewall does with this traffic; none without a firewall. */
  firewall?: string;
}

export interface Topology {
  /** The site's names (`domain` of the load balancers, else of the web hosts). */
  domains: string[];
  nodes: TopologyNode[];
  hosts: TopologyHost[];
  edges: TopologyEdge[];
}

const str = (host: Host, name: string): string => String(host.vars[name]);
const num = (host: Host, name: string): number => Number(host.vars[name]);
const isSet = (host: Host, name: string): boolean => host.vars[name] !== undefined;

export const nodeId = (host: string, service: string): string => `${host}/${service}`;

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

/** The lines under a host's name: its address, and its private address when it differs. */
export function hostAddressLines(host: TopologyHost): string[] {
  return host.privateAddress === host.address
    ? [host.address]
    : [host.address, `private ${host.privateAddress}`];
}

/** What a host's firewall lets in, one item per rule, or why there is none. */
export function firewallItems(host: TopologyHost): string[] {
  return host.firewall.on ? host.firewall.openings.map(describeOpening) : [host.firewall.why];
}

/** A host's caption for a cluster: name, addresses, firewall and notes, one line each. */
export function hostCaption(host: TopologyHost): string[] {
  const firewall = host.firewall.on
    ? ['firewall lets in:', ...firewallItems(host)]
    : firewallItems(host);
  return [host.name, ...hostAddressLines(host), ...firewall, ...host.notes];
}

/** IPv4 addresses then IPv6 ones, each once, names left out: how the ruleset lists sources. */
function ruleSources(addresses: string[]): string[] {
  const unique = [...new Set(addresses)];
  return [...unique.filter(isIpv4), ...unique.filter(isIpv6)];
}

function firewallOf(host: Host, lbs: Host[], webs: Host[]): Firewall {
  if (!isLb(host) && !isWeb(host))
    return { on: false, why: 'no firewall (the site sets one on lb and web hosts only)' };
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
  return { on: true, openings };
}

/** What `target`'s firewall does with traffic from `source` to one of its openings. */
function firewallNote(
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

/** The site of an inventory, in inventory order. */
export function buildTopology(inventory: Inventory): Topology {
  const all = [...inventory.hosts.values()];
  const lbs = lbHosts(inventory);
  const webs = webHosts(inventory);
  const nodes: TopologyNode[] = [];
  const edges: TopologyEdge[] = [];
  const firewalls = new Map(all.map((h) => [h.name, firewallOf(h, lbs, webs)]));
  const fw = (host: Host) => firewalls.get(host.name)!;

  const front = lbs.length > 0 ? lbs : webs;
  const domains = [...new Set(front.map((h) => str(h, 'domain')))];
  if (front.length > 0)
    nodes.push({
      id: 'users',
      kind: 'users',
      tier: 'users',
      title: 'Users',
      details: ['the Internet', ...domains],
    });

  // The load balancers, and keepalived's virtual addresses (the first lb is MASTER).
  const byVip = new Map<string, Host[]>();
  for (const lb of lbs) {
    const vip = lb.vars.lb_virtual_ip as string | undefined;
    if (vip !== undefined) byVip.set(vip, [...(byVip.get(vip) ?? []), lb]);
  }
  const siteLabel = (lb: Host, address: string): string[] =>
    lb.vars.lb_tls === true
      ? [`HTTPS ${address}:${num(lb, 'lb_https_port')}`, `HTTP :${num(lb, 'lb_port')} redirects`]
      : [`HTTP ${address}:${num(lb, 'lb_port')}`];
  for (const [vip, members] of byVip) {
    const id = `vip:${vip}`;
    nodes.push({
      id,
      kind: 'vip',
      tier: 'vip',
      title: 'Virtual IP',
      details: [vip, `keepalived, VRRP id ${num(members[0]!, 'lb_vrrp_router_id')}`],
    });
    edges.push({
      from: 'users',
      to: id,
      kind: 'site',
      label: siteLabel(members[0]!, vip),
      firewall: firewallNote(fw(members[0]!), 'site', 'anywhere'),
    });
  }
  for (const lb of lbs) {
    const haproxy = nodeId(lb.name, 'haproxy');
    const tls = lb.vars.lb_tls === true;
    nodes.push({
      id: haproxy,
      kind: 'haproxy',
      tier: 'lb',
      host: lb.name,
      title: 'HAProxy',
      details: [
        tls
          ? `:${num(lb, 'lb_https_port')} TLS ${str(lb, 'lb_tls_profile')}`
          : `:${num(lb, 'lb_port')} HTTP`,
        `roundrobin, check ${str(lb, 'health_path')}`,
      ],
    });
    const vip = lb.vars.lb_virtual_ip as string | undefined;
    if (vip === undefined) {
      edges.push({
        from: 'users',
        to: haproxy,
        kind: 'site',
        label: siteLabel(lb, str(lb, 'address')),
        firewall: firewallNote(fw(lb), 'site', 'anywhere'),
      });
      continue;
    }
    const master = byVip.get(vip)![0] === lb;
    nodes.push({
      id: nodeId(lb.name, 'keepalived'),
      kind: 'keepalived',
      tier: 'lb',
      host: lb.name,
      title: 'keepalived',
      details: [
        `${master ? 'MASTER' : 'BACKUP'}, priority ${master ? 150 : 100}`,
        `VRRP on ${String(lb.vars.lb_vrrp_interface ?? '?')}`,
      ],
    });
    edges.push({
      from: `vip:${vip}`,
      to: haproxy,
      kind: 'vip',
      label: [master ? `${vip} held here (MASTER)` : `takes ${vip} over (BACKUP)`],
      firewall: firewallNote(fw(lb), 'site', 'anywhere'),
    });
  }

  // Each web host: Nginx → the application → the databases.
  const primary = webs.find((w) => dbRole(w) === 'primary');
  for (const web of webs) {
    const nginx = nodeId(web.name, 'nginx');
    const app = nodeId(web.name, 'app');
    nodes.push({
      id: nginx,
      kind: 'nginx',
      tier: 'nginx',
      host: web.name,
      title: 'Nginx',
      details: [`:${num(web, 'web_port')} ${str(web, 'domain')}`, 'static files, proxy'],
    });
    nodes.push({
      id: app,
      kind: 'app',
      tier: 'app',
      host: web.name,
      title: str(web, 'app_service'),
      details: ['systemd service', str(web, 'app_dir')],
    });
    const backend = `HTTP ${str(web, 'private_address')}:${num(web, 'web_port')}`;
    if (lbs.length === 0)
      edges.push({
        from: 'users',
        to: nginx,
        kind: 'site',
        label: [`HTTP ${str(web, 'address')}:${num(web, 'web_port')}`],
        firewall: firewallNote(fw(web), 'web', 'anywhere'),
      });
    for (const lb of lbs)
      edges.push({
        from: nodeId(lb.name, 'haproxy'),
        to: nginx,
        kind: 'backend',
        label: [backend],
        firewall: firewallNote(fw(web), 'web', str(lb, 'private_address')),
      });
    edges.push({
      from: nginx,
      to: app,
      kind: 'proxy',
      label: [`127.0.0.1:${num(web, 'app_port')}`],
    });
    const role = dbRole(web);
    if (role !== 'none')
      edges.push({
        from: app,
        to: nodeId(web.name, 'mysql'),
        kind: 'db-local',
        label: [role === 'primary' ? 'reads, writes' : 'reads', 'unix socket'],
      });
    if (primary && primary !== web)
      edges.push({
        from: app,
        to: nodeId(primary.name, 'mysql'),
        kind: 'db-write',
        label: ['writes', `${str(primary, 'private_address')}:${num(primary, 'mysql_port')}`],
        firewall: firewallNote(fw(primary), 'mysql', str(web, 'private_address')),
      });
  }

  // The database servers, and replication from each replica's source.
  for (const host of all) {
    const role = dbRole(host);
    if (role === 'none') continue;
    const mariadb = host.vars.mysql_flavor === 'mariadb';
    nodes.push({
      id: nodeId(host.name, 'mysql'),
      kind: 'mysql',
      tier: 'mysql',
      host: host.name,
      title: `${mariadb ? 'MariaDB' : 'MySQL'} ${role}`,
      details: [
        `:${num(host, 'mysql_port')}, server_id ${String(host.vars.server_id ?? '?')}`,
        `${role === 'primary' ? 'writable' : 'read-only'}, ${host.vars.mysql_tls === true ? 'TLS' : 'no TLS'}`,
      ],
    });
    const source = inventory.hosts.get(String(host.vars.mysql_source));
    if (role !== 'replica' || !source || dbRole(source) === 'none') continue;
    const tls = host.vars.mysql_tls === true;
    edges.push({
      from: nodeId(source.name, 'mysql'),
      to: nodeId(host.name, 'mysql'),
      kind: 'replication',
      label: [
        `replication, GTID ${mariadb ? 'slave_pos' : 'auto-position'}`,
        tls ? (isSet(host, 'mysql_tls_ca') ? 'TLS, CA verified' : 'TLS') : 'no TLS',
        `from ${str(source, 'private_address')}:${num(source, 'mysql_port')}`,
      ],
      firewall: firewallNote(fw(source), 'mysql', str(host, 'private_address')),
    });
  }

  const order: Tier[] = ['users', 'vip', 'lb', 'nginx', 'app', 'mysql'];
  const hosts: TopologyHost[] = [];
  for (const host of all) {
    const own = nodes
      .filter((n) => n.host === host.name)
      .sort((a, b) => order.indexOf(a.tier) - order.indexOf(b.tier));
    const notes: string[] = [];
    if (dbRole(host) !== 'none' && !isWeb(host))
      notes.push('not a web host: the site playbook installs no database server here');
    if (own.length === 0) notes.push('no service of the site');
    hosts.push({
      name: host.name,
      address: str(host, 'address'),
      privateAddress: str(host, 'private_address'),
      roles: [
        ...(isLb(host) ? ['lb'] : []),
        ...(isWeb(host) ? ['web'] : []),
        ...(dbRole(host) !== 'none' ? [dbRole(host)] : []),
      ],
      firewall: fw(host),
      nodes: own.map((n) => n.id),
      notes,
    });
  }
  return { domains, nodes, hosts, edges };
}
