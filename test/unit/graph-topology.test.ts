import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import {
  buildTopology,
  hostCaption,
  type Opening,
  type Topology,
} from '../../src/site/graph/topology';
import { contextBuilder } from '../../src/render/context';
import { TemplateEngine } from '../../src/render/template-engine';
import { ROOT } from '../support/cli';
import { GRAPH_FIXTURES, loadGraphInventory } from '../support/graph-fixtures';

/** The whole topology as lines a person can check against the inventory. */
function summary(t: Topology): { hosts: string[]; nodes: string[]; edges: string[] } {
  return {
    hosts: t.hosts.map(
      (h) => `${h.name} [${h.roles.join(',')}] ${hostCaption(h).slice(1).join(' / ')}`,
    ),
    nodes: t.nodes.map((n) => `${n.id}: ${[n.title, ...n.details].join(' / ')}`),
    edges: t.edges.map(
      (e) =>
        `${e.from} -> ${e.to} (${e.kind}): ${e.label.join(' / ')}${e.firewall ? ` | ${e.firewall}` : ''}`,
    ),
  };
}

interface Case {
  name: string;
  hosts: string[];
  nodes: string[];
  edges: string[];
}

/** Each inventory of GRAPH_FIXTURES with every host, service and connection, checked by hand. */
const CASES: Case[] = [
  {
    name: 'the production example',
    hosts: [
      'lb-01 [lb] 203.0.113.10 / firewall lets in: / SSH 22 from 198.51.100.0/24 / HTTP/HTTPS 80, 443 from anywhere / exporters 9100, 8405 from 203.0.113.10',
      'web-01 [web,primary] 203.0.113.11 / private 10.0.0.11 / firewall lets in: / SSH 22 from 198.51.100.0/24 / HTTP 80 from 203.0.113.10 / MySQL 3306 from 10.0.0.11, 10.0.0.12 / exporters 9100, 9113, 9104 from 203.0.113.10',
      'web-02 [web,replica] 203.0.113.12 / private 10.0.0.12 / firewall lets in: / SSH 22 from 198.51.100.0/24 / HTTP 80 from 203.0.113.10 / MySQL 3306 from 10.0.0.11, 10.0.0.12 / exporters 9100, 9113, 9104 from 203.0.113.10',
    ],
    nodes: [
      'users: Users / the Internet / www.foobar.com',
      'lb-01/haproxy: HAProxy / :443 TLS intermediate / roundrobin, check /healthz',
      'web-01/nginx: Nginx / :80 www.foobar.com / static files, proxy',
      'web-01/app: foobar-app / systemd service / /opt/foobar',
      'web-02/nginx: Nginx / :80 www.foobar.com / static files, proxy',
      'web-02/app: foobar-app / systemd service / /opt/foobar',
      'web-01/mysql: MySQL primary / :3306, server_id 1 / writable, TLS',
      'web-02/mysql: MySQL replica / :3306, server_id 2 / read-only, TLS',
    ],
    edges: [
      'users -> lb-01/haproxy (site): HTTPS 203.0.113.10:443 / HTTP :80 redirects | firewall: HTTP/HTTPS 80, 443 from anywhere',
      'lb-01/haproxy -> web-01/nginx (backend): HTTP 10.0.0.11:80 | firewall: HTTP 80 from 203.0.113.10',
      'web-01/nginx -> web-01/app (proxy): 127.0.0.1:3000',
      'web-01/app -> web-01/mysql (db-local): reads, writes / unix socket',
      'lb-01/haproxy -> web-02/nginx (backend): HTTP 10.0.0.12:80 | firewall: HTTP 80 from 203.0.113.10',
      'web-02/nginx -> web-02/app (proxy): 127.0.0.1:3000',
      'web-02/app -> web-02/mysql (db-local): reads / unix socket',
      'web-02/app -> web-01/mysql (db-write): writes / 10.0.0.11:3306 | firewall: MySQL 3306 from 10.0.0.11, 10.0.0.12',
      'web-01/mysql -> web-02/mysql (replication): replication, GTID auto-position / TLS, CA verified / from 10.0.0.11:3306 | firewall: MySQL 3306 from 10.0.0.11, 10.0.0.12',
    ],
  },
  {
    name: 'two load balancers sharing a virtual IP, MariaDB, the statistics page',
    hosts: [
      'lb-a [lb] 198.51.100.21 / private 10.1.0.21 / firewall lets in: / SSH 22 from 192.0.2.0/28 / HTTP/HTTPS 80, 443 from anywhere / VRRP from 10.1.0.21, 10.1.0.22 / stats 8404 from 192.0.2.0/28 / exporters 9100, 8405 from 10.1.0.21',
      'lb-b [lb] 198.51.100.22 / private 10.1.0.22 / firewall lets in: / SSH 22 from 192.0.2.0/28 / HTTP/HTTPS 80, 443 from anywhere / VRRP from 10.1.0.21, 10.1.0.22 / stats 8404 from 192.0.2.0/28 / exporters 9100, 8405 from 10.1.0.21',
      'app-1 [web,primary] 10.1.0.31 / firewall lets in: / SSH 22 from 192.0.2.0/28 / HTTP 80 from 10.1.0.21, 10.1.0.22, 198.51.100.21, 198.51.100.22 / MySQL 3306 from 10.1.0.31, 10.1.0.32 / exporters 9100, 9113, 9104 from 10.1.0.21',
      'app-2 [web,replica] 10.1.0.32 / firewall lets in: / SSH 22 from 192.0.2.0/28 / HTTP 80 from 10.1.0.21, 10.1.0.22, 198.51.100.21, 198.51.100.22 / MySQL 3306 from 10.1.0.31, 10.1.0.32 / exporters 9100, 9113, 9104 from 10.1.0.21',
    ],
    nodes: [
      'users: Users / the Internet / shop.example.org',
      'vip:10.1.0.100: Virtual IP / 10.1.0.100 / keepalived, VRRP id 51',
      'lb-a/haproxy: HAProxy / :443 TLS intermediate / roundrobin, check /healthz',
      'lb-a/keepalived: keepalived / MASTER, priority 150 / VRRP on eth1',
      'lb-b/haproxy: HAProxy / :443 TLS intermediate / roundrobin, check /healthz',
      'lb-b/keepalived: keepalived / BACKUP, priority 100 / VRRP on eth1',
      'app-1/nginx: Nginx / :80 shop.example.org / static files, proxy',
      'app-1/app: foobar-app / systemd service / /opt/foobar',
      'app-2/nginx: Nginx / :80 shop.example.org / static files, proxy',
      'app-2/app: foobar-app / systemd service / /opt/foobar',
      'app-1/mysql: MariaDB primary / :3306, server_id 31 / writable, TLS',
      'app-2/mysql: MariaDB replica / :3306, server_id 32 / read-only, TLS',
    ],
    edges: [
      'users -> vip:10.1.0.100 (site): HTTPS 10.1.0.100:443 / HTTP :80 redirects | firewall: HTTP/HTTPS 80, 443 from anywhere',
      'vip:10.1.0.100 -> lb-a/haproxy (vip): 10.1.0.100 held here (MASTER) | firewall: HTTP/HTTPS 80, 443 from anywhere',
      'vip:10.1.0.100 -> lb-b/haproxy (vip): takes 10.1.0.100 over (BACKUP) | firewall: HTTP/HTTPS 80, 443 from anywhere',
      'lb-a/haproxy -> app-1/nginx (backend): HTTP 10.1.0.31:80 | firewall: HTTP 80 from 10.1.0.21, 10.1.0.22, 198.51.100.21, 198.51.100.22',
      'lb-b/haproxy -> app-1/nginx (backend): HTTP 10.1.0.31:80 | firewall: HTTP 80 from 10.1.0.21, 10.1.0.22, 198.51.100.21, 198.51.100.22',
      'app-1/nginx -> app-1/app (proxy): 127.0.0.1:3000',
      'app-1/app -> app-1/mysql (db-local): reads, writes / unix socket',
      'lb-a/haproxy -> app-2/nginx (backend): HTTP 10.1.0.32:80 | firewall: HTTP 80 from 10.1.0.21, 10.1.0.22, 198.51.100.21, 198.51.100.22',
      'lb-b/haproxy -> app-2/nginx (backend): HTTP 10.1.0.32:80 | firewall: HTTP 80 from 10.1.0.21, 10.1.0.22, 198.51.100.21, 198.51.100.22',
      'app-2/nginx -> app-2/app (proxy): 127.0.0.1:3000',
      'app-2/app -> app-2/mysql (db-local): reads / unix socket',
      'app-2/app -> app-1/mysql (db-write): writes / 10.1.0.31:3306 | firewall: MySQL 3306 from 10.1.0.31, 10.1.0.32',
      'app-1/mysql -> app-2/mysql (replication): replication, GTID slave_pos / TLS / from 10.1.0.31:3306 | firewall: MySQL 3306 from 10.1.0.31, 10.1.0.32',
    ],
  },
  {
    name: 'three web hosts, two replicas, other ports, IPv6 admin sources',
    hosts: [
      'lb-01 [lb] 192.168.50.2 / firewall lets in: / SSH 2222 from 192.168.50.250, 2001:db8:50::/48 / HTTP/HTTPS 8000, 8443 from anywhere / exporters 9100, 8405 from 192.168.50.2',
      'web-01 [web,primary] 192.168.50.11 / firewall lets in: / SSH 2222 from 192.168.50.250, 2001:db8:50::/48 / HTTP 8080 from 192.168.50.2 / MySQL 3306 from 192.168.50.11, 192.168.50.12, 192.168.50.13 / exporters 9100, 9113, 9104 from 192.168.50.2',
      'web-02 [web,replica] 192.168.50.12 / firewall lets in: / SSH 2222 from 192.168.50.250, 2001:db8:50::/48 / HTTP 8080 from 192.168.50.2 / MySQL 3306 from 192.168.50.11, 192.168.50.12, 192.168.50.13 / exporters 9100, 9113, 9104 from 192.168.50.2',
      'web-03 [web,replica] 192.168.50.13 / firewall lets in: / SSH 2222 from 192.168.50.250, 2001:db8:50::/48 / HTTP 8080 from 192.168.50.2 / MySQL 3306 from 192.168.50.11, 192.168.50.12, 192.168.50.13 / exporters 9100, 9113, 9104 from 192.168.50.2',
    ],
    nodes: [
      'users: Users / the Internet / shop.example.net',
      'lb-01/haproxy: HAProxy / :8443 TLS modern / roundrobin, check /healthz',
      'web-01/nginx: Nginx / :8080 shop.example.net / static files, proxy',
      'web-01/app: foobar-app / systemd service / /opt/foobar',
      'web-02/nginx: Nginx / :8080 shop.example.net / static files, proxy',
      'web-02/app: foobar-app / systemd service / /opt/foobar',
      'web-03/nginx: Nginx / :8080 shop.example.net / static files, proxy',
      'web-03/app: foobar-app / systemd service / /opt/foobar',
      'web-01/mysql: MySQL primary / :3306, server_id 11 / writable, no TLS',
      'web-02/mysql: MySQL replica / :3306, server_id 12 / read-only, no TLS',
      'web-03/mysql: MySQL replica / :3306, server_id 13 / read-only, no TLS',
    ],
    edges: [
      'users -> lb-01/haproxy (site): HTTPS 192.168.50.2:8443 / HTTP :8000 redirects | firewall: HTTP/HTTPS 8000, 8443 from anywhere',
      'lb-01/haproxy -> web-01/nginx (backend): HTTP 192.168.50.11:8080 | firewall: HTTP 8080 from 192.168.50.2',
      'web-01/nginx -> web-01/app (proxy): 127.0.0.1:4000',
      'web-01/app -> web-01/mysql (db-local): reads, writes / unix socket',
      'lb-01/haproxy -> web-02/nginx (backend): HTTP 192.168.50.12:8080 | firewall: HTTP 8080 from 192.168.50.2',
      'web-02/nginx -> web-02/app (proxy): 127.0.0.1:4000',
      'web-02/app -> web-02/mysql (db-local): reads / unix socket',
      'web-02/app -> web-01/mysql (db-write): writes / 192.168.50.11:3306 | firewall: MySQL 3306 from 192.168.50.11, 192.168.50.12, 192.168.50.13',
      'lb-01/haproxy -> web-03/nginx (backend): HTTP 192.168.50.13:8080 | firewall: HTTP 8080 from 192.168.50.2',
      'web-03/nginx -> web-03/app (proxy): 127.0.0.1:4000',
      'web-03/app -> web-03/mysql (db-local): reads / unix socket',
      'web-03/app -> web-01/mysql (db-write): writes / 192.168.50.11:3306 | firewall: MySQL 3306 from 192.168.50.11, 192.168.50.12, 192.168.50.13',
      'web-01/mysql -> web-02/mysql (replication): replication, GTID auto-position / no TLS / from 192.168.50.11:3306 | firewall: MySQL 3306 from 192.168.50.11, 192.168.50.12, 192.168.50.13',
      'web-01/mysql -> web-03/mysql (replication): replication, GTID auto-position / no TLS / from 192.168.50.11:3306 | firewall: MySQL 3306 from 192.168.50.11, 192.168.50.12, 192.168.50.13',
    ],
  },
  {
    name: 'firewall off, a replica chain ending outside the web group, a host of no role',
    hosts: [
      'edge [lb] 172.16.5.2 / no firewall (firewall: false)',
      'w1 [web,primary] 172.16.5.11 / no firewall (firewall: false)',
      'w2 [web,replica] 172.16.5.12 / no firewall (firewall: false)',
      'd3 [replica] 172.16.5.13 / no firewall (the site sets one on lb, web and monitor hosts only) / not a web host: the site playbook installs no database server here',
      'mon [] 172.16.5.50 / no firewall (the site sets one on lb, web and monitor hosts only) / no service of the site',
    ],
    nodes: [
      'users: Users / the Internet / www.foobar.com',
      'edge/haproxy: HAProxy / :80 HTTP / roundrobin, check /healthz',
      'w1/nginx: Nginx / :8080 www.foobar.com / static files, proxy',
      'w1/app: shop / systemd service / /opt/foobar',
      'w2/nginx: Nginx / :8080 www.foobar.com / static files, proxy',
      'w2/app: shop / systemd service / /opt/foobar',
      'w1/mysql: MySQL primary / :3306, server_id 1 / writable, no TLS',
      'w2/mysql: MySQL replica / :3306, server_id 2 / read-only, no TLS',
      'd3/mysql: MySQL replica / :3306, server_id 3 / read-only, no TLS',
    ],
    edges: [
      'users -> edge/haproxy (site): HTTP 172.16.5.2:80',
      'edge/haproxy -> w1/nginx (backend): HTTP 172.16.5.11:8080',
      'w1/nginx -> w1/app (proxy): 127.0.0.1:8000',
      'w1/app -> w1/mysql (db-local): reads, writes / unix socket',
      'edge/haproxy -> w2/nginx (backend): HTTP 172.16.5.12:8080',
      'w2/nginx -> w2/app (proxy): 127.0.0.1:8000',
      'w2/app -> w2/mysql (db-local): reads / unix socket',
      'w2/app -> w1/mysql (db-write): writes / 172.16.5.11:3306',
      'w1/mysql -> w2/mysql (replication): replication, GTID auto-position / no TLS / from 172.16.5.11:3306',
      'w2/mysql -> d3/mysql (replication): replication, GTID auto-position / no TLS / from 172.16.5.12:3306',
    ],
  },
  {
    name: 'no load balancer, and what the firewall then drops',
    hosts: [
      'web-01 [web,primary] 192.0.2.11 / firewall lets in: / SSH 22 from 203.0.113.0/24 / HTTP 80 from nowhere (closed) / MySQL 3306 from 192.0.2.11 / exporters 9100, 9113, 9104 from nowhere (closed)',
      'db-09 [replica] 192.0.2.19 / no firewall (the site sets one on lb, web and monitor hosts only) / not a web host: the site playbook installs no database server here',
    ],
    nodes: [
      'users: Users / the Internet / www.foobar.com',
      'web-01/nginx: Nginx / :80 www.foobar.com / static files, proxy',
      'web-01/app: foobar-app / systemd service / /opt/foobar',
      'web-01/mysql: MySQL primary / :3306, server_id 1 / writable, no TLS',
      'db-09/mysql: MySQL replica / :3306, server_id 9 / read-only, no TLS',
    ],
    edges: [
      'users -> web-01/nginx (site): HTTP 192.0.2.11:80 | firewall DROPS this: HTTP 80 from nowhere (closed)',
      'web-01/nginx -> web-01/app (proxy): 127.0.0.1:3000',
      'web-01/app -> web-01/mysql (db-local): reads, writes / unix socket',
      'web-01/mysql -> db-09/mysql (replication): replication, GTID auto-position / no TLS / from 192.0.2.11:3306 | firewall DROPS this: MySQL 3306 from 192.0.2.11',
    ],
  },
];

describe('graph: the topology an inventory describes', () => {
  const file = (name: string) => GRAPH_FIXTURES.find((f) => f.name === name)!.file;
  const load = (name: string) => loadGraphInventory(file(name));

  it('covers every graph fixture', () => {
    assert.deepEqual(
      CASES.map((c) => c.name),
      GRAPH_FIXTURES.map((f) => f.name),
    );
  });

  for (const c of CASES) {
    it(`${c.name}: every host, service and connection with its label`, () => {
      const got = summary(buildTopology(load(c.name)));
      assert.deepEqual(got.hosts, c.hosts);
      assert.deepEqual(got.nodes, c.nodes);
      assert.deepEqual(got.edges, c.edges);
    });
  }

  it('each host box holds exactly its own services, in tier order', () => {
    for (const c of CASES) {
      const t = buildTopology(load(c.name));
      for (const h of t.hosts)
        assert.deepEqual(
          h.nodes,
          t.nodes.filter((n) => n.host === h.name).map((n) => n.id),
          `${c.name}: ${h.name}`,
        );
      // Every edge joins two nodes of the topology.
      const ids = new Set(t.nodes.map((n) => n.id));
      for (const e of t.edges) assert.ok(ids.has(e.from) && ids.has(e.to), `${e.from} -> ${e.to}`);
    }
  });

  it('never needs a secret: references stay references, and nothing of them is shown', () => {
    const t = buildTopology(loadGraphInventory('test/fixtures/inventories/graph/two-lbs-vip.yml'));
    const text = JSON.stringify(t);
    for (const word of ['LB_STATS_PASSWORD', 'DB_APP_PASSWORD', 'site.key', 'db.key', '****'])
      assert.ok(!text.includes(word), word);
  });
});

/**
 * The openings the model claims, checked against what templates/nftables.conf.hbs
 * renders for the same host: the picture cannot drift from the real firewall.
 */
describe('graph: the firewall openings are those of the rendered nftables ruleset', () => {
  const engine = new TemplateEngine(path.join(ROOT, 'templates'));

  /** `ports from sources` for each accept rule with a source or a port, IPv4 and IPv6 rules merged. */
  function rulesetOpenings(text: string): string[] {
    const sets = new Map<string, string[]>();
    for (const m of text.matchAll(/set (\w+) \{[^}]*elements = \{ ([^}]*) \} \}/g))
      sets.set(`@${m[1]!}`, m[2]!.split(', '));
    const list = (v: string) =>
      v.startsWith('@') ? sets.get(v)! : v.replace(/[{}]/g, '').trim().split(', ');
    const out = new Map<string, string[]>();
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      const m =
        /^(?:ip6? saddr (@\w+|\{ [^}]* \}) )?(?:tcp dport (\d+|\{ [^}]* \})|meta l4proto (112)) accept$/.exec(
          line,
        );
      if (!m) continue;
      const key = m[3] ? 'vrrp' : list(m[2]!).join(', ');
      const from = m[1] ? list(m[1]) : ['anywhere'];
      out.set(key, [...(out.get(key) ?? []), ...from]);
    }
    return [...out].map(([key, from]) => `${key} from ${from.join(', ')}`);
  }
  // An opening with no source has no rule: the port is closed.
  const modelOpenings = (openings: Opening[]) =>
    openings
      .filter((o) => o.from === 'anywhere' || o.from.length > 0)
      .map(
        (o) =>
          `${o.id === 'vrrp' ? 'vrrp' : o.ports.join(', ')} from ${o.from === 'anywhere' ? 'anywhere' : o.from.join(', ')}`,
      );

  for (const f of GRAPH_FIXTURES) {
    it(f.name, () => {
      const inventory = loadGraphInventory(f.file);
      const context = contextBuilder(inventory, {}, () => '********');
      const t = buildTopology(inventory);
      let checked = 0;
      for (const h of t.hosts) {
        if (!h.firewall.on) continue;
        const rendered = engine.renderFile('nftables.conf.hbs', context(h.name), h.name);
        assert.deepEqual(modelOpenings(h.firewall.openings), rulesetOpenings(rendered), h.name);
        checked++;
      }
      const firewalled = [...inventory.hosts.values()].filter(
        (h) => h.vars.firewall === true && (h.groups.includes('lb') || h.groups.includes('web')),
      );
      assert.equal(checked, firewalled.length);
    });
  }
});
