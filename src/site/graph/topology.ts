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
import type { Host, Inventory } from '../../inventory/model';
import { backupHosts, dbRole, isLb, isWeb, lbHosts, monitorHosts, webHosts } from '../roles';
import { isSet, num, str } from './host-vars';
import { describeOpening, firewallNote, firewallOf } from './topology-firewall';
import {
  TIER_ORDER,
  nodeId,
  type Firewall,
  type Topology,
  type TopologyEdge,
  type TopologyHost,
  type TopologyNode,
} from './topology-model';

export * from './topology-model';
export { describeOpening } from './topology-firewall';

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

/** The topology as it is drawn up: nodes and edges so far, and each host's firewall. */
interface Draft {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  fw(host: Host): Firewall;
}

/** The site of an inventory, in inventory order. */
export function buildTopology(inventory: Inventory): Topology {
  const all = [...inventory.hosts.values()];
  const lbs = lbHosts(inventory);
  const webs = webHosts(inventory);
  const peers = { monitors: monitorHosts(inventory), backupHosts: backupHosts(inventory) };
  const firewalls = new Map(all.map((h) => [h.name, firewallOf(h, lbs, webs, peers)]));
  const draft: Draft = { nodes: [], edges: [], fw: (host) => firewalls.get(host.name)! };
  const front = lbs.length > 0 ? lbs : webs;
  const domains = [...new Set(front.map((h) => str(h, 'domain')))];
  if (front.length > 0)
    draft.nodes.push({
      id: 'users',
      kind: 'users',
      tier: 'users',
      title: 'Users',
      details: ['the Internet', ...domains],
    });
  addLoadBalancers(draft, lbs);
  const primary = webs.find((w) => dbRole(w) === 'primary');
  for (const web of webs) addWebHost(draft, web, lbs, primary);
  for (const host of all) addDatabase(draft, inventory, host);
  return {
    domains,
    nodes: draft.nodes,
    hosts: all.map((h) => hostBox(draft, h)),
    edges: draft.edges,
  };
}

/** What users reach on a load balancer: HTTPS (with HTTP redirecting) or HTTP. */
function siteLabel(lb: Host, address: string): string[] {
  return lb.vars.lb_tls === true
    ? [`HTTPS ${address}:${num(lb, 'lb_https_port')}`, `HTTP :${num(lb, 'lb_port')} redirects`]
    : [`HTTP ${address}:${num(lb, 'lb_port')}`];
}

/** The load balancers, and keepalived's virtual addresses (the first lb is MASTER). */
function addLoadBalancers(draft: Draft, lbs: Host[]): void {
  const byVip = new Map<string, Host[]>();
  for (const lb of lbs) {
    const vip = lb.vars.lb_virtual_ip as string | undefined;
    if (vip !== undefined) byVip.set(vip, [...(byVip.get(vip) ?? []), lb]);
  }
  for (const [vip, members] of byVip) {
    const id = `vip:${vip}`;
    draft.nodes.push({
      id,
      kind: 'vip',
      tier: 'vip',
      title: 'Virtual IP',
      details: [vip, `keepalived, VRRP id ${num(members[0]!, 'lb_vrrp_router_id')}`],
    });
    draft.edges.push({
      from: 'users',
      to: id,
      kind: 'site',
      label: siteLabel(members[0]!, vip),
      firewall: firewallNote(draft.fw(members[0]!), 'site', 'anywhere'),
    });
  }
  for (const lb of lbs) addLoadBalancer(draft, lb, byVip);
}

function addLoadBalancer(draft: Draft, lb: Host, byVip: Map<string, Host[]>): void {
  const haproxy = nodeId(lb.name, 'haproxy');
  const tls = lb.vars.lb_tls === true;
  draft.nodes.push({
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
    draft.edges.push({
      from: 'users',
      to: haproxy,
      kind: 'site',
      label: siteLabel(lb, str(lb, 'address')),
      firewall: firewallNote(draft.fw(lb), 'site', 'anywhere'),
    });
    return;
  }
  const master = byVip.get(vip)![0] === lb;
  draft.nodes.push({
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
  draft.edges.push({
    from: `vip:${vip}`,
    to: haproxy,
    kind: 'vip',
    label: [master ? `${vip} held here (MASTER)` : `takes ${vip} over (BACKUP)`],
    firewall: firewallNote(draft.fw(lb), 'site', 'anywhere'),
  });
}

/** A web host: Nginx → the application → the databases (the local one, and the primary for writes). */
function addWebHost(draft: Draft, web: Host, lbs: Host[], primary: Host | undefined): void {
  const nginx = nodeId(web.name, 'nginx');
  const app = nodeId(web.name, 'app');
  draft.nodes.push(
    {
      id: nginx,
      kind: 'nginx',
      tier: 'nginx',
      host: web.name,
      title: 'Nginx',
      details: [`:${num(web, 'web_port')} ${str(web, 'domain')}`, 'static files, proxy'],
    },
    {
      id: app,
      kind: 'app',
      tier: 'app',
      host: web.name,
      title: str(web, 'app_service'),
      details: ['systemd service', str(web, 'app_dir')],
    },
  );
  if (lbs.length === 0)
    draft.edges.push({
      from: 'users',
      to: nginx,
      kind: 'site',
      label: [`HTTP ${str(web, 'address')}:${num(web, 'web_port')}`],
      firewall: firewallNote(draft.fw(web), 'web', 'anywhere'),
    });
  const backend = `HTTP ${str(web, 'private_address')}:${num(web, 'web_port')}`;
  for (const lb of lbs)
    draft.edges.push({
      from: nodeId(lb.name, 'haproxy'),
      to: nginx,
      kind: 'backend',
      label: [backend],
      firewall: firewallNote(draft.fw(web), 'web', str(lb, 'private_address')),
    });
  draft.edges.push({
    from: nginx,
    to: app,
    kind: 'proxy',
    label: [`127.0.0.1:${num(web, 'app_port')}`],
  });
  const role = dbRole(web);
  if (role !== 'none')
    draft.edges.push({
      from: app,
      to: nodeId(web.name, 'mysql'),
      kind: 'db-local',
      label: [role === 'primary' ? 'reads, writes' : 'reads', 'unix socket'],
    });
  if (primary && primary !== web)
    draft.edges.push({
      from: app,
      to: nodeId(primary.name, 'mysql'),
      kind: 'db-write',
      label: ['writes', `${str(primary, 'private_address')}:${num(primary, 'mysql_port')}`],
      firewall: firewallNote(draft.fw(primary), 'mysql', str(web, 'private_address')),
    });
}

/** A database server, and replication from its source when it is a replica. */
function addDatabase(draft: Draft, inventory: Inventory, host: Host): void {
  const role = dbRole(host);
  if (role === 'none') return;
  const mariadb = host.vars.mysql_flavor === 'mariadb';
  draft.nodes.push({
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
  if (role !== 'replica' || !source || dbRole(source) === 'none') return;
  const tls = host.vars.mysql_tls === true;
  draft.edges.push({
    from: nodeId(source.name, 'mysql'),
    to: nodeId(host.name, 'mysql'),
    kind: 'replication',
    label: [
      `replication, GTID ${mariadb ? 'slave_pos' : 'auto-position'}`,
      tls ? (isSet(host, 'mysql_tls_ca') ? 'TLS, CA verified' : 'TLS') : 'no TLS',
      `from ${str(source, 'private_address')}:${num(source, 'mysql_port')}`,
    ],
    firewall: firewallNote(draft.fw(source), 'mysql', str(host, 'private_address')),
  });
}

/** A host's box: its addresses, roles, firewall, services (in the order of the tiers) and notes. */
function hostBox(draft: Draft, host: Host): TopologyHost {
  const own = draft.nodes
    .filter((n) => n.host === host.name)
    .sort((a, b) => TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier));
  const notes: string[] = [];
  if (dbRole(host) !== 'none' && !isWeb(host))
    notes.push('not a web host: the site playbook installs no database server here');
  if (own.length === 0) notes.push('no service of the site');
  return {
    name: host.name,
    address: str(host, 'address'),
    privateAddress: str(host, 'private_address'),
    roles: [
      ...(isLb(host) ? ['lb'] : []),
      ...(isWeb(host) ? ['web'] : []),
      ...(dbRole(host) !== 'none' ? [dbRole(host)] : []),
    ],
    firewall: draft.fw(host),
    nodes: own.map((n) => n.id),
    notes,
  };
}
