/**
 * The picture's model: the site an inventory describes, as nodes (the services), host boxes and
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

/** The columns of the picture, left to right. */
export type Tier = 'users' | 'vip' | 'lb' | 'nginx' | 'app' | 'mysql';

/** The tiers in the picture's order, left to right. */
export const TIER_ORDER: readonly Tier[] = ['users', 'vip', 'lb', 'nginx', 'app', 'mysql'];

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
  id: 'ssh' | 'site' | 'vrrp' | 'stats' | 'web' | 'mysql' | 'exporters' | 'backup-copy';
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

export const nodeId = (host: string, service: string): string => `${host}/${service}`;
