/**
 * The topology as a Graphviz digraph (left to right, one cluster per host),
 * for `dot -Tsvg` or `dot -Tpng` where Graphviz is installed. Pure string output.
 */
import {
  hostCaption,
  type EdgeKind,
  type NodeKind,
  type Topology,
  type TopologyNode,
} from './topology';

/** A DOT double-quoted string: backslashes and quotes escaped, lines joined by \n. */
export function dotString(lines: string[]): string {
  return `"${lines.map((l) => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, ' ')).join('\\n')}"`;
}

const EDGE_STYLES: Record<EdgeKind, string> = {
  site: 'color="#2563eb", fontcolor="#1e3a8a"',
  vip: 'color="#2563eb", fontcolor="#1e3a8a"',
  backend: 'color="#2563eb", fontcolor="#1e3a8a"',
  proxy: 'color="#64748b", fontcolor="#334155"',
  'db-local': 'color="#c2410c", fontcolor="#7c2d12"',
  'db-write': 'color="#c2410c", fontcolor="#7c2d12"',
  replication: 'color="#7c3aed", fontcolor="#4c1d95", style=dashed',
};

const NODE_STYLES: Record<NodeKind, string> = {
  users: 'shape=oval, fillcolor="#eff6ff", color="#60a5fa"',
  vip: 'shape=hexagon, fillcolor="#eff6ff", color="#60a5fa"',
  haproxy: 'fillcolor="#eff6ff", color="#60a5fa"',
  keepalived: 'fillcolor="#f8fafc", color="#93c5fd"',
  nginx: 'fillcolor="#f0fdf4", color="#4ade80"',
  app: 'fillcolor="#ffffff", color="#94a3b8"',
  mysql: 'shape=cylinder, fillcolor="#fff7ed", color="#fb923c"',
};

export function renderDot(topology: Topology): string {
  const node = (n: TopologyNode, indent: string) =>
    `${indent}${dotString([n.id])} [label=${dotString([n.title, ...n.details])}, ${NODE_STYLES[n.kind]}];`;
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const out = [
    `// ${(topology.domains.join(', ') || 'the site').replace(/[\r\n]/g, ' ')}: drawn by foobar-infra graph`,
    'digraph topology {',
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.35, ranksep=0.8, labelloc=t, label=${dotString([topology.domains.join(', ') || 'the site'])}];`,
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const n of topology.nodes) if (!n.host) out.push(node(n, '  '));
  topology.hosts.forEach((h, i) => {
    out.push(
      `  subgraph cluster_${i} {`,
      `    label=${dotString(hostCaption(h))};`,
      '    style="rounded,filled"; fillcolor="#f1f5f9"; color="#cbd5e1"; fontsize=10;',
    );
    for (const nid of h.nodes) out.push(node(byId.get(nid)!, '    '));
    if (h.nodes.length === 0)
      out.push(`    ${dotString([`${h.name}/(none)`])} [label="", shape=point, style=invis];`);
    out.push('  }');
  });
  for (const e of topology.edges) {
    const label = dotString([...e.label, ...(e.firewall ? [e.firewall] : [])]);
    out.push(
      `  ${dotString([e.from])} -> ${dotString([e.to])} [label=${label}, ${EDGE_STYLES[e.kind]}];`,
    );
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
