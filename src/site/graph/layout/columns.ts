/**
 * The columns, left to right: users, virtual IPs, load balancers, then
 * Nginx, the application and MySQL inside one box per web host. Each is as
 * wide as its widest box; the gaps make room for the labels of the edges
 * that cross them.
 */
import { TIER_ORDER, type Tier, type TopologyEdge } from '../topology';
import { BUS, MARGIN, PAD } from './model';
import type { Sheet } from './sheet';
import { footerItemsWidth, headerWidth, labelsWidth, maxOf, nodeWidth } from './sizes';

export interface Columns {
  x: Record<Tier, number>;
  width: Record<Tier, number>;
  /** The inner width of a load balancer's box (its services, header and footer). */
  lbInner: number;
  /** The web hosts' boxes (Nginx to MySQL) and the database-only hosts' boxes. */
  webLeft: number;
  webRight: number;
  dbLeft: number;
  /** Where the last column ends. */
  end: number;
}

export function planColumns(sheet: Sheet): Columns {
  const { topology, present } = sheet;
  const tierWidth = (tier: Tier) =>
    maxOf(topology.nodes.filter((n) => n.tier === tier).map(nodeWidth));
  // A load balancer's box holds all its services (a database too, if the inventory gives it one).
  const lbInner = maxOf([
    ...sheet.lbHosts.flatMap((h) => h.nodes.map((id) => nodeWidth(sheet.node(id)))),
    ...sheet.lbHosts.map(headerWidth),
    ...sheet.lbHosts.map(footerItemsWidth),
  ]);
  const width: Record<Tier, number> = {
    users: tierWidth('users'),
    vip: tierWidth('vip'),
    lb: lbInner + 2 * PAD,
    nginx: tierWidth('nginx'),
    app: tierWidth('app'),
    mysql: tierWidth('mysql'),
  };
  const gap = gapBefore(sheet);
  const x = {} as Record<Tier, number>;
  let cursor = MARGIN;
  let prev: Tier | undefined;
  for (const tier of TIER_ORDER) {
    if (!present.has(tier)) continue;
    cursor += prev ? gap(tier, prev) : tier === 'nginx' || tier === 'mysql' ? PAD : 0;
    x[tier] = cursor;
    cursor += width[tier];
    prev = tier;
  }
  const webLeft = (present.has('nginx') ? x.nginx : (x.mysql ?? MARGIN)) - PAD;
  const webRight =
    (present.has('mysql')
      ? x.mysql + width.mysql
      : present.has('app')
        ? x.app + width.app
        : MARGIN) + PAD;
  const dbLeft = present.has('mysql') ? x.mysql - PAD : webLeft;
  return { x, width, lbInner, webLeft, webRight, dbLeft, end: cursor };
}

/** The gap before a column, after the previous one: room for the labels of the edges between. */
function gapBefore(sheet: Sheet): (tier: Tier, prev: Tier) => number {
  const writes = sheet.edgesOf('db-write');
  const busGap = (edges: TopologyEdge[]) => BUS + 12 + labelsWidth(edges) + 14;
  const usersOut = sheet.topology.edges.filter((e) => e.from === 'users');
  const laneRoom = writes.length > 0 ? 24 : 0;
  return (tier, prev) => {
    const inBox = tier === 'nginx' || tier === 'mysql' ? PAD : 0;
    if (prev === 'users') return busGap(usersOut) + inBox;
    if (prev === 'vip') return busGap(sheet.edgesOf('vip'));
    if (prev === 'lb') return (tier === 'nginx' ? busGap(sheet.edgesOf('backend')) : 40) + inBox;
    if (prev === 'nginx') return 2 * PAD + labelsWidth(sheet.edgesOf('proxy')) + 8;
    if (prev === 'app')
      return 2 * PAD + labelsWidth([...sheet.edgesOf('db-local'), ...writes]) + laneRoom + 8;
    return 40;
  };
}
