/**
 * The topology as a self-contained SVG picture: no script, no external font
 * or image, every text XML-escaped, and the same bytes for the same topology.
 * The geometry comes from svg-layout.ts; this file only writes the markup.
 */
import { STYLES, layoutTopology, sampleWidth, type Layout, type TextRun } from './svg-layout';
import type { EdgeKind, NodeKind, Topology } from './topology';

const SANS = "'DejaVu Sans', Verdana, 'Segoe UI', Arial, sans-serif";
const MONO = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace";

const PAGE_FILL = '#ffffff';
const BOX_FILL = '#f1f5f9';

const EDGE_COLORS: Record<EdgeKind, string> = {
  site: '#2563eb',
  vip: '#2563eb',
  backend: '#2563eb',
  proxy: '#64748b',
  'db-local': '#c2410c',
  'db-write': '#c2410c',
  replication: '#7c3aed',
};

const NODE_COLORS: Record<NodeKind, { fill: string; stroke: string }> = {
  users: { fill: '#eff6ff', stroke: '#60a5fa' },
  vip: { fill: '#eff6ff', stroke: '#60a5fa' },
  haproxy: { fill: '#eff6ff', stroke: '#60a5fa' },
  keepalived: { fill: '#f8fafc', stroke: '#93c5fd' },
  nginx: { fill: '#f0fdf4', stroke: '#4ade80' },
  app: { fill: '#ffffff', stroke: '#94a3b8' },
  mysql: { fill: '#fff7ed', stroke: '#fb923c' },
};

/** Text made safe for XML content and attribute values. */
export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Numbers as written in the file: at most one decimal, no "-0". */
const n = (value: number): string => {
  const r = Math.round(value * 10) / 10;
  return String(r === 0 ? 0 : r);
};

function text(run: TextRun): string {
  const s = STYLES[run.style];
  const attrs = [
    `x="${n(run.x)}"`,
    `y="${n(run.y)}"`,
    s.mono ? 'font-family="mono"' : '',
    `font-size="${s.size}"`,
    s.bold ? 'font-weight="bold"' : '',
    s.italic ? 'font-style="italic"' : '',
    `fill="${s.color}"`,
    run.anchor === 'middle' ? 'text-anchor="middle"' : '',
    run.halo
      ? `stroke="${run.halo === 'box' ? BOX_FILL : PAGE_FILL}" stroke-width="4" stroke-linejoin="round" paint-order="stroke"`
      : '',
  ]
    .filter(Boolean)
    .join(' ')
    .replace('font-family="mono"', `font-family="${MONO}"`);
  return `<text ${attrs}>${xmlEscape(run.text)}</text>`;
}

const pathData = (points: [number, number][]): string =>
  points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${n(x)},${n(y)}`).join(' ');

/** A marker per edge colour, named after the colour. */
function markers(): string[] {
  const colors = [...new Set(Object.values(EDGE_COLORS))];
  return colors.map(
    (c) =>
      `<marker id="arrow-${c.slice(1)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="${c}"/></marker>`,
  );
}

function edgeStyle(kind: EdgeKind): string {
  const c = EDGE_COLORS[kind];
  const dash = kind === 'replication' ? ' stroke-dasharray="7 4"' : '';
  const width = kind === 'proxy' ? 1.4 : 1.6;
  return `fill="none" stroke="${c}" stroke-width="${width}"${dash} marker-end="url(#arrow-${c.slice(1)})"`;
}

function legend(layout: Layout): string[] {
  const out: string[] = ['<g class="legend">'];
  for (const item of layout.legend) {
    const y = item.y;
    if (item.kind === 'firewall')
      out.push(
        text({ x: item.x, y: y + 4, text: 'firewall:', style: 'firewall', anchor: 'start' }),
      );
    else if (item.kind === 'host')
      out.push(
        `<rect x="${n(item.x)}" y="${n(y - 7)}" width="28" height="14" rx="4" fill="${BOX_FILL}" stroke="#cbd5e1"/>`,
      );
    else
      out.push(
        `<path d="M${n(item.x)},${n(y)} L${n(item.x + 28)},${n(y)}" ${edgeStyle(item.kind)}/>`,
      );
    out.push(
      text({
        x: item.x + sampleWidth(item.kind) + 8,
        y: y + 4,
        text: item.text,
        style: 'legend',
        anchor: 'start',
      }),
    );
  }
  out.push('</g>');
  return out;
}

/** The SVG document, ending in a newline. */
export function renderSvg(topology: Topology): string {
  const layout = layoutTopology(topology);
  const title = topology.domains.length
    ? `${topology.domains.join(', ')}: the site's topology`
    : "the site's topology";
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="${SANS}" role="img" aria-labelledby="topology-title">`,
    `<title id="topology-title">${xmlEscape(title)}</title>`,
    '<desc>Drawn by foobar-infra graph from the inventory.</desc>',
    `<defs>${markers().join('')}</defs>`,
    `<rect x="0" y="0" width="${layout.width}" height="${layout.height}" fill="${PAGE_FILL}"/>`,
    ...layout.texts.map(text),
    '<g class="hosts">',
  ];
  for (const h of layout.hosts) {
    out.push(
      `<g class="host" data-host="${xmlEscape(h.host.name)}">`,
      `<rect x="${n(h.x)}" y="${n(h.y)}" width="${n(h.w)}" height="${n(h.h)}" rx="10" fill="${BOX_FILL}" stroke="#cbd5e1" stroke-width="1.2"/>`,
      '</g>',
    );
  }
  out.push('</g>', '<g class="edges">');
  // Paths crossed by others get a white halo, drawn after the paths they cross.
  const ordered = [...layout.edges.filter((e) => !e.halo), ...layout.edges.filter((e) => e.halo)];
  for (const e of ordered) {
    out.push(
      `<g class="edge" data-kind="${e.edge.kind}" data-from="${xmlEscape(e.edge.from)}" data-to="${xmlEscape(e.edge.to)}">`,
    );
    if (e.halo)
      out.push(
        `<path d="${pathData(e.points)}" fill="none" stroke="${BOX_FILL}" stroke-width="7"/>`,
      );
    out.push(`<path class="arrow" d="${pathData(e.points)}" ${edgeStyle(e.edge.kind)}/>`, '</g>');
  }
  out.push('</g>', '<g class="host-texts">');
  for (const h of layout.hosts) out.push(...h.texts.map(text));
  out.push('</g>', '<g class="nodes">');
  for (const p of layout.nodes) {
    const c = NODE_COLORS[p.node.kind];
    const rx = p.node.kind === 'users' || p.node.kind === 'vip' ? 22 : 7;
    out.push(
      `<g class="node" data-id="${xmlEscape(p.node.id)}">`,
      `<rect x="${n(p.x)}" y="${n(p.y)}" width="${n(p.w)}" height="${n(p.h)}" rx="${rx}" fill="${c.fill}" stroke="${c.stroke}" stroke-width="1.4"/>`,
      ...p.texts.map(text),
      '</g>',
    );
  }
  out.push('</g>', '<g class="labels">');
  for (const e of layout.edges) out.push(...e.texts.map(text));
  out.push('</g>', ...legend(layout), '</svg>');
  return `${out.join('\n')}\n`;
}
