import * as path from 'node:path';
import { requireInventory } from '../../src/engine/project';
import { SITE } from '../../src/cli/site-project';
import type { Inventory } from '../../src/inventory/model';
import { ROOT } from './cli';

/** The inventories the graph tests draw, each with what it shows. */
export const GRAPH_FIXTURES: { name: string; file: string }[] = [
  { name: 'the production example', file: 'inventories/production.example.yml' },
  {
    name: 'two load balancers sharing a virtual IP, MariaDB, the statistics page',
    file: 'test/fixtures/inventories/graph/two-lbs-vip.yml',
  },
  {
    name: 'three web hosts, two replicas, other ports, IPv6 admin sources',
    file: 'test/fixtures/inventories/good/three-web.yml',
  },
  {
    name: 'firewall off, a replica chain ending outside the web group, a host of no role',
    file: 'test/fixtures/inventories/graph/firewall-off.yml',
  },
  {
    name: 'no load balancer, and what the firewall then drops',
    file: 'test/fixtures/inventories/graph/no-lb.yml',
  },
];

/** An inventory as `graph` loads it, with the site playbook's declared variables. */
export function loadGraphInventory(file: string): Inventory {
  return requireInventory(path.join(ROOT, file), path.join(ROOT, 'playbooks', 'site.yml'), {
    variables: SITE.variables,
  });
}
