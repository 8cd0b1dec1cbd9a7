/**
 * The topology as a Mermaid flowchart (left to right, one subgraph per host),
 * e.g. for a Markdown page that renders Mermaid. Pure string output.
 */
import {
  hostCaption,
  type EdgeKind,
  type NodeKind,
  type Topology,
  type TopologyNode,
} from './topology';

/** Text for a quoted Mermaid label: entity codes for what the syntax would read. */
export function mermaidText(text: string): string {
  return text
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;');
}

const lines = (parts: string[]) => parts.map(mermaidText).join('<br/>');

const ARROWS: Record<EdgeKind, string> = {
  site: '-->',
  vip: '-->',
  backend: '-->',
  proxy: '-->',
  'db-local': '-->',
  'db-write': '-->',
  replication: '-.->',
};

const SHAPES: Record<NodeKind, [string, string]> = {
  users: ['([', '])'],
  vip: ['{{', '}}'],
  haproxy: ['[', ']'],
  keepalived: ['[', ']'],
  nginx: ['[', ']'],
  app: ['[', ']'],
  mysql: ['[(', ')]'],
};

const CLASSES: Record<NodeKind, string> = {
  users: 'fill:#eff6ff,stroke:#60a5fa',
  vip: 'fill:#eff6ff,stroke:#60a5fa',
  haproxy: 'fill:#eff6ff,stroke:#60a5fa',
  keepalived: 'fill:#f8fafc,stroke:#93c5fd',
  nginx: 'fill:#f0fdf4,stroke:#4ade80',
  app: 'fill:#ffffff,stroke:#94a3b8',
  mysql: 'fill:#fff7ed,stroke:#fb923c',
};

/** Mermaid ids: letters, digits and _ only, each distinct. */
function idMaker(): (key: string) => string {
  const given = new Map<string, string>();
  const used = new Set<string>();
  return (key) => {
    const known = given.get(key);
    if (known) return known;
    const base = `n_${key.replace(/[^A-Za-z0-9]/g, '_')}`;
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    given.set(key, id);
    return id;
  };
}

export function renderMermaid(topology: Topology): string {
  const id = idMaker();
  const node = (n: TopologyNode, indent: string) => {
    const [open, close] = SHAPES[n.kind];
    return `${indent}${id(n.id)}${open}"${lines([n.title, ...n.details])}"${close}`;
  };
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const out = [
    `%% ${mermaidText(topology.domains.join(', ') || 'the site')}: drawn by foobar-infra graph`,
    'flowchart LR',
  ];
  for (const n of topology.nodes) if (!n.host) out.push(node(n, '  '));
  for (const h of topology.hosts) {
    const title = lines(hostCaption(h));
    out.push(`  subgraph ${id(`host:${h.name}`)} ["${title}"]`);
    for (const nid of h.nodes) out.push(node(byId.get(nid)!, '    '));
    if (h.nodes.length === 0) out.push(`    ${id(`empty:${h.name}`)}[" "]`);
    out.push('  end');
  }
  for (const e of topology.edges) {
    const label = lines([...e.label, ...(e.firewall ? [e.firewall] : [])]);
    out.push(`  ${id(e.from)} ${ARROWS[e.kind]}|"${label}"| ${id(e.to)}`);
  }
  for (const [kind, style] of Object.entries(CLASSES)) out.push(`  classDef ${kind} ${style}`);
  for (const n of topology.nodes) out.push(`  class ${id(n.id)} ${n.kind}`);
  return `${out.join('\n')}\n`;
}
