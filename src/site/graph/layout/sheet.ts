/**
 * The layout being built: the topology with its lookups, and what is placed
 * so far (nodes by id, host boxes in drawing order). The placing steps
 * (columns.ts, boxes.ts, edges.ts, frame.ts) share it.
 */
import type { EdgeKind, Tier, Topology, TopologyHost, TopologyNode } from '../topology';
import type { PlacedHost, PlacedNode } from './model';

export interface Sheet {
  topology: Topology;
  node(id: string): TopologyNode;
  edgesOf(kind: EdgeKind): Topology['edges'];
  /** The hosts by what they run: load balancers, web hosts, database-only hosts, hosts of no service. */
  lbHosts: TopologyHost[];
  webHosts: TopologyHost[];
  dbOnlyHosts: TopologyHost[];
  idleHosts: TopologyHost[];
  /** The tiers (columns) the topology has. */
  present: Set<Tier>;
  placedNodes: Map<string, PlacedNode>;
  placedHosts: PlacedHost[];
}

export function newSheet(topology: Topology): Sheet {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const tiersOf = (h: TopologyHost) => h.nodes.map((id) => byId.get(id)!.tier);
  const hostsOf = (pred: (h: TopologyHost) => boolean) => topology.hosts.filter(pred);
  return {
    topology,
    node: (id) => byId.get(id)!,
    edgesOf: (kind) => topology.edges.filter((e) => e.kind === kind),
    lbHosts: hostsOf((h) => tiersOf(h).includes('lb')),
    webHosts: hostsOf((h) => tiersOf(h).includes('nginx')),
    dbOnlyHosts: hostsOf((h) => h.nodes.length > 0 && tiersOf(h).every((t) => t === 'mysql')),
    idleHosts: hostsOf((h) => h.nodes.length === 0),
    present: new Set(topology.nodes.map((n) => n.tier)),
    placedNodes: new Map(),
    placedHosts: [],
  };
}

/** A placed node's vertical centre. */
export function centerY(sheet: Sheet, id: string): number {
  const n = sheet.placedNodes.get(id)!;
  return n.y + n.h / 2;
}

/** A placed node's right edge. */
export function rightOf(sheet: Sheet, id: string): number {
  const n = sheet.placedNodes.get(id)!;
  return n.x + n.w;
}
