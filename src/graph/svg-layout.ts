/**
 * Where everything of a topology goes in the SVG picture. Pure geometry:
 * tiers are columns (users, virtual IPs, load balancers, then Nginx, the
 * application and MySQL inside one box per web host), hosts are boxes, edges
 * are orthogonal paths with their labels beside them, and a legend sits at the
 * bottom. Text widths are estimated from the fonts' usual advance widths (wide
 * side), so the result is the same on every machine.
 */
import {
  firewallItems,
  hostAddressLines,
  type EdgeKind,
  type Tier,
  type Topology,
  type TopologyEdge,
  type TopologyHost,
  type TopologyNode,
} from './topology';

export type TextStyle =
  | 'heading'
  | 'subheading'
  | 'column'
  | 'host'
  | 'address'
  | 'title'
  | 'detail'
  | 'label'
  | 'firewall'
  | 'warning'
  | 'note'
  | 'legend';

export interface StyleSpec {
  size: number;
  mono: boolean;
  bold: boolean;
  italic: boolean;
  color: string;
}

const sans = (size: number, color: string, bold = false, italic = false): StyleSpec => ({
  size,
  mono: false,
  bold,
  italic,
  color,
});
const mono = (size: number, color: string): StyleSpec => ({
  size,
  mono: true,
  bold: false,
  italic: false,
  color,
});

export const STYLES: Record<TextStyle, StyleSpec> = {
  heading: sans(18, '#0f172a', true),
  subheading: sans(12, '#64748b'),
  column: sans(11, '#64748b', true),
  host: sans(14, '#0f172a', true),
  address: mono(11, '#475569'),
  title: sans(13, '#0f172a', true),
  detail: mono(11, '#334155'),
  label: mono(11, '#1e293b'),
  firewall: mono(10, '#15803d'),
  warning: mono(10, '#b91c1c'),
  note: sans(11, '#64748b', false, true),
  legend: sans(11, '#334155'),
};

export interface TextRun {
  x: number;
  y: number;
  text: string;
  style: TextStyle;
  anchor: 'start' | 'middle';
  /** Drawn over a halo of the background it sits on, so that a path under it stays readable. */
  halo?: 'box' | 'page';
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PlacedNode extends Rect {
  node: TopologyNode;
  texts: TextRun[];
}

export interface PlacedHost extends Rect {
  host: TopologyHost;
  texts: TextRun[];
}

export interface PlacedEdge {
  edge: TopologyEdge;
  points: [number, number][];
  /** Its labels; empty when an identical label is already drawn at the same target. */
  texts: TextRun[];
  /** Drawn over a white halo: other paths cross it. */
  halo: boolean;
}

export interface LegendItem {
  kind: EdgeKind | 'firewall' | 'host';
  text: string;
  x: number;
  y: number;
}

/** The width of a legend item's sample (a line, a box, or the firewall's word). */
export const sampleWidth = (kind: LegendItem['kind']): number => (kind === 'firewall' ? 56 : 28);

export interface Layout {
  width: number;
  height: number;
  texts: TextRun[];
  hosts: PlacedHost[];
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  legend: LegendItem[];
}

// Advance widths of DejaVu Sans (the widest of the usual sans-serif fonts), in em.
const SANS_WIDTHS: Record<string, number> = {
  ' ': 0.318,
  '.': 0.318,
  ',': 0.318,
  ':': 0.337,
  ';': 0.337,
  '-': 0.361,
  '/': 0.337,
  '(': 0.39,
  ')': 0.39,
  _: 0.5,
  i: 0.278,
  j: 0.278,
  l: 0.278,
  f: 0.352,
  t: 0.392,
  r: 0.411,
  s: 0.521,
  z: 0.525,
  c: 0.55,
  k: 0.579,
  m: 0.974,
  w: 0.818,
  I: 0.295,
  M: 0.863,
  W: 0.989,
};

/** The width of a text in a style, rounded up. */
export function textWidth(text: string, style: TextStyle): number {
  const spec = STYLES[style];
  const chars = [...text];
  if (spec.mono) return Math.ceil(chars.length * 0.602 * spec.size);
  let em = 0;
  for (const ch of chars) {
    if (SANS_WIDTHS[ch] !== undefined) em += SANS_WIDTHS[ch];
    else if (/[A-Z]/.test(ch)) em += 0.72;
    else if (/[0-9]/.test(ch)) em += 0.636;
    else em += 0.62;
  }
  return Math.ceil(em * spec.size * (spec.bold ? 1.08 : 1));
}

/** Words packed into lines no wider than `max` (a longer word gets a line of its own). */
export function wrapText(text: string, style: TextStyle, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, style) > max) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** Items packed into lines joined by " · ", each item wrapped when it is too long alone. */
function packItems(items: string[], style: TextStyle, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line ? `${line} · ${item}` : item;
    if (textWidth(next, style) <= max) {
      line = next;
      continue;
    }
    if (line) lines.push(line);
    const parts = wrapText(item, style, max);
    line = parts.pop()!;
    lines.push(...parts);
  }
  if (line) lines.push(line);
  return lines;
}

const MARGIN = 24;
const PAD = 12;
const ROW_GAP = 22;
const NODE_GAP = 10;
const LINE = 14;
const LABEL_LINE = 13;
const FOOT_LINE = 13;
/** The widest an edge label line gets before it wraps. */
const LABEL_MAX = 180;
const BUS = 18;
const LANE_STEP = 12;
const HEADER_TOP = 92;

const COLUMN_TITLES: Record<Tier, string> = {
  users: 'USERS',
  vip: 'VIRTUAL IP',
  lb: 'LOAD BALANCERS',
  nginx: 'NGINX',
  app: 'APPLICATION',
  mysql: 'DATABASE',
};

const nodeHeight = (node: TopologyNode) => 32 + LINE * node.details.length;
const nodeWidth = (node: TopologyNode) =>
  Math.max(
    110,
    textWidth(node.title, 'title'),
    ...node.details.map((d) => textWidth(d, 'detail')),
  ) +
  2 * PAD;
const maxOf = (values: number[], floor = 0) => Math.max(floor, ...values);

/** An edge's label lines as drawn: each wrapped to LABEL_MAX. */
function labelLines(edge: TopologyEdge): string[] {
  return edge.label.flatMap((l) => wrapText(l, 'label', LABEL_MAX));
}

/** Only a firewall that drops the traffic is said on the edge: the host boxes list the rest. */
function warningLines(edge: TopologyEdge): string[] {
  return edge.firewall?.startsWith('firewall DROPS')
    ? wrapText(edge.firewall, 'warning', LABEL_MAX)
    : [];
}

function labelWidth(edge: TopologyEdge): number {
  return maxOf([
    ...labelLines(edge).map((l) => textWidth(l, 'label')),
    ...warningLines(edge).map((l) => textWidth(l, 'warning')),
  ]);
}

export function layoutTopology(topology: Topology): Layout {
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const tierOf = (id: string) => byId.get(id)!.tier;
  const present = new Set(topology.nodes.map((n) => n.tier));
  const tierWidth = (tier: Tier) =>
    maxOf(topology.nodes.filter((n) => n.tier === tier).map(nodeWidth));
  const edgesOf = (kind: EdgeKind) => topology.edges.filter((e) => e.kind === kind);
  const labelsWidth = (edges: TopologyEdge[]) => maxOf(edges.map(labelWidth));
  const hostsOf = (pred: (h: TopologyHost) => boolean) => topology.hosts.filter(pred);
  const tiersOfHost = (h: TopologyHost) => h.nodes.map(tierOf);
  const lbHosts = hostsOf((h) => tiersOfHost(h).includes('lb'));
  const webHosts = hostsOf((h) => tiersOfHost(h).includes('nginx'));
  const dbOnlyHosts = hostsOf(
    (h) => h.nodes.length > 0 && tiersOfHost(h).every((t) => t === 'mysql'),
  );
  const idleHosts = hostsOf((h) => h.nodes.length === 0);
  const writes = edgesOf('db-write');

  // Columns, left to right; the lb column is as wide as its boxes.
  const headerWidth = (h: TopologyHost) =>
    maxOf([textWidth(h.name, 'host'), ...hostAddressLines(h).map((l) => textWidth(l, 'address'))]);
  const footerItemsWidth = (h: TopologyHost) =>
    maxOf(firewallItems(h).map((i) => Math.min(textWidth(i, 'firewall'), 240)));
  // A load balancer's box holds all its services (a database too, if the inventory gives it one).
  const lbInner = maxOf([
    ...lbHosts.flatMap((h) => h.nodes.map((id) => nodeWidth(byId.get(id)!))),
    ...lbHosts.map(headerWidth),
    ...lbHosts.map(footerItemsWidth),
  ]);
  const colWidth: Record<Tier, number> = {
    users: tierWidth('users'),
    vip: tierWidth('vip'),
    lb: lbInner + 2 * PAD,
    nginx: tierWidth('nginx'),
    app: tierWidth('app'),
    mysql: tierWidth('mysql'),
  };
  const busGap = (edges: TopologyEdge[]) => BUS + 12 + labelsWidth(edges) + 14;
  const usersOut = topology.edges.filter((e) => e.from === 'users');
  const laneRoom = writes.length > 0 ? 24 : 0;
  const gapBefore = (tier: Tier, prev: Tier): number => {
    const inBox = tier === 'nginx' || tier === 'mysql' ? PAD : 0;
    if (prev === 'users') return busGap(usersOut) + inBox;
    if (prev === 'vip') return busGap(edgesOf('vip'));
    if (prev === 'lb') return (tier === 'nginx' ? busGap(edgesOf('backend')) : 40) + inBox;
    if (prev === 'nginx') return 2 * PAD + labelsWidth(edgesOf('proxy')) + 8;
    if (prev === 'app')
      return 2 * PAD + labelsWidth([...edgesOf('db-local'), ...writes]) + laneRoom + 8;
    return 40;
  };
  const order: Tier[] = ['users', 'vip', 'lb', 'nginx', 'app', 'mysql'];
  const colX = {} as Record<Tier, number>;
  let cursor = MARGIN;
  let prev: Tier | undefined;
  for (const tier of order) {
    if (!present.has(tier)) continue;
    cursor += prev ? gapBefore(tier, prev) : tier === 'nginx' || tier === 'mysql' ? PAD : 0;
    colX[tier] = cursor;
    cursor += colWidth[tier];
    prev = tier;
  }
  const webLeft = (present.has('nginx') ? colX.nginx : (colX.mysql ?? MARGIN)) - PAD;
  const webRight =
    (present.has('mysql')
      ? colX.mysql + colWidth.mysql
      : present.has('app')
        ? colX.app + colWidth.app
        : MARGIN) + PAD;
  const dbLeft = present.has('mysql') ? colX.mysql - PAD : webLeft;
  const dbRight = webRight;

  const hosts: PlacedHost[] = [];
  const nodes = new Map<string, PlacedNode>();
  const place = (node: TopologyNode, x: number, y: number, w: number): PlacedNode => {
    const h = nodeHeight(node);
    const texts: TextRun[] = [
      { x: x + w / 2, y: y + 20, text: node.title, style: 'title', anchor: 'middle' },
      ...node.details.map((d, i): TextRun => ({
        x: x + w / 2,
        y: y + 35 + i * LINE,
        text: d,
        style: 'detail',
        anchor: 'middle',
      })),
    ];
    const placed = { node, x, y, w, h, texts };
    nodes.set(node.id, placed);
    return placed;
  };
  const header = (h: TopologyHost, x: number, y: number): TextRun[] => [
    { x: x + PAD, y: y + 20, text: h.name, style: 'host', anchor: 'start' },
    ...hostAddressLines(h).map((l, i): TextRun => ({
      x: x + PAD,
      y: y + 36 + i * 14,
      text: l,
      style: 'address',
      anchor: 'start',
    })),
  ];
  const headerHeight = (h: TopologyHost) => 36 + 14 * (hostAddressLines(h).length - 1) + 14;
  const footer = (h: TopologyHost, width: number): { text: string; style: TextStyle }[] => {
    const fw = h.firewall.on
      ? packItems(['firewall:', ...firewallItems(h)], 'firewall', width).map((text) => ({
          text: text.replace(/^firewall: · /, 'firewall: '),
          style: 'firewall' as const,
        }))
      : wrapText(firewallItems(h)[0]!, 'warning', width).map((text) => ({
          text,
          style: 'warning' as const,
        }));
    const notes = h.notes.flatMap((n) =>
      wrapText(n, 'note', width).map((text) => ({ text, style: 'note' as const })),
    );
    return [...fw, ...notes];
  };
  const footerHeight = (lines: unknown[]) => 8 + FOOT_LINE * lines.length;
  const footerTexts = (
    lines: { text: string; style: TextStyle }[],
    x: number,
    top: number,
  ): TextRun[] =>
    lines.map((l, i) => ({
      x: x + PAD,
      y: top + 12 + i * FOOT_LINE,
      text: l.text,
      style: l.style,
      anchor: 'start',
      halo: 'box',
    }));

  // The web hosts, one row each, then database hosts outside the web group.
  const rowTops: number[] = [];
  let y = HEADER_TOP;
  const webStack: (() => void)[] = [];
  const writers = new Set(writes.map((e) => e.from));
  for (const h of webHosts) {
    const own = h.nodes.map((id) => byId.get(id)!);
    const nodeH = maxOf(own.map(nodeHeight));
    const body = nodeH + (own.some((n) => writers.has(n.id)) ? 2 * LABEL_LINE + 4 : 0);
    const lines = footer(h, webRight - webLeft - 2 * PAD);
    const height = headerHeight(h) + body + footerHeight(lines) + 6;
    const top = y;
    rowTops.push(top);
    webStack.push(() => {
      const dy = offsetWeb;
      const bodyTop = top + dy + headerHeight(h);
      for (const n of own) {
        const w = colWidth[n.tier];
        place(n, colX[n.tier], bodyTop + (nodeH - nodeHeight(n)) / 2, w);
      }
      hosts.push({
        host: h,
        x: webLeft,
        y: top + dy,
        w: webRight - webLeft,
        h: height,
        texts: [...header(h, webLeft, top + dy), ...footerTexts(lines, webLeft, bodyTop + body)],
      });
    });
    y += height + ROW_GAP;
  }
  for (const h of dbOnlyHosts) {
    const n = byId.get(h.nodes[0]!)!;
    const width = dbRight - dbLeft;
    const lines = footer(h, width - 2 * PAD);
    const height = headerHeight(h) + nodeHeight(n) + footerHeight(lines) + 6;
    const top = y;
    webStack.push(() => {
      const dy = offsetWeb;
      const bodyTop = top + dy + headerHeight(h);
      place(n, colX.mysql, bodyTop, colWidth.mysql);
      hosts.push({
        host: h,
        x: dbLeft,
        y: top + dy,
        w: width,
        h: height,
        texts: [
          ...header(h, dbLeft, top + dy),
          ...footerTexts(lines, dbLeft, bodyTop + nodeHeight(n)),
        ],
      });
    });
    y += height + ROW_GAP;
  }
  const webStackHeight = y - HEADER_TOP - (y > HEADER_TOP ? ROW_GAP : 0);

  // The load balancers, stacked in their column.
  let ly = HEADER_TOP;
  const lbStack: (() => void)[] = [];
  for (const h of lbHosts) {
    const own = h.nodes.map((id) => byId.get(id)!);
    const lines = footer(h, lbInner);
    const body = own.reduce((sum, n) => sum + nodeHeight(n), 0) + NODE_GAP * (own.length - 1);
    const height = headerHeight(h) + body + footerHeight(lines) + 6;
    const top = ly;
    lbStack.push(() => {
      const dy = offsetLb;
      let ny = top + dy + headerHeight(h);
      for (const n of own) {
        place(n, colX.lb + PAD, ny, lbInner);
        ny += nodeHeight(n) + NODE_GAP;
      }
      hosts.push({
        host: h,
        x: colX.lb,
        y: top + dy,
        w: colWidth.lb,
        h: height,
        texts: [
          ...header(h, colX.lb, top + dy),
          ...footerTexts(lines, colX.lb, top + dy + headerHeight(h) + body),
        ],
      });
    });
    ly += height + ROW_GAP;
  }
  const lbStackHeight = ly - HEADER_TOP - (ly > HEADER_TOP ? ROW_GAP : 0);
  const stackHeight = Math.max(webStackHeight, lbStackHeight);
  const offsetWeb = Math.round((stackHeight - webStackHeight) / 2);
  const offsetLb = Math.round((stackHeight - lbStackHeight) / 2);
  for (const f of [...lbStack, ...webStack]) f();

  // Virtual addresses beside their load balancers, the users beside what they reach.
  const centerY = (id: string) => {
    const n = nodes.get(id)!;
    return n.y + n.h / 2;
  };
  let vipBottom = HEADER_TOP;
  for (const vip of topology.nodes.filter((n) => n.tier === 'vip')) {
    const targets = topology.edges.filter((e) => e.from === vip.id).map((e) => centerY(e.to));
    const mid = targets.reduce((a, b) => a + b, 0) / Math.max(1, targets.length);
    const top = Math.max(vipBottom, Math.round(mid - nodeHeight(vip) / 2));
    place(vip, colX.vip, top, colWidth.vip);
    vipBottom = top + nodeHeight(vip) + ROW_GAP;
  }
  const users = byId.get('users');
  if (users) {
    const targets = usersOut.map((e) => centerY(e.to));
    const mid = (Math.min(...targets) + Math.max(...targets)) / 2;
    place(
      users,
      colX.users,
      Math.max(HEADER_TOP, Math.round(mid - nodeHeight(users) / 2)),
      colWidth.users,
    );
  }

  // Edges.
  const placedEdges: PlacedEdge[] = [];
  const seenLabels = new Set<string>();
  const node = (id: string) => nodes.get(id)!;
  const right = (id: string) => node(id).x + node(id).w;
  const labelBlock = (
    edge: TopologyEdge,
    cx: number,
    lineY: number,
    where: 'above' | 'below',
    halo: 'box' | 'page',
  ): TextRun[] => {
    // Edges that share a target and a label (several lbs to one web host) say it once.
    const key = `${Math.round(cx)},${Math.round(lineY)},${where}\n${edge.label.join('\n')}\n${edge.firewall ?? ''}`;
    if (seenLabels.has(key)) return [];
    seenLabels.add(key);
    const lines = labelLines(edge);
    const warn = warningLines(edge);
    const out: TextRun[] = [];
    if (where === 'above') {
      lines.forEach((text, i) =>
        out.push({
          x: cx,
          y: lineY - 6 - (lines.length - 1 - i) * LABEL_LINE,
          text,
          style: 'label',
          anchor: 'middle',
          halo,
        }),
      );
      warn.forEach((text, i) =>
        out.push({
          x: cx,
          y: lineY + 14 + i * LABEL_LINE,
          text,
          style: 'warning',
          anchor: 'middle',
          halo,
        }),
      );
    } else {
      [...lines, ...warn].forEach((text, i) =>
        out.push({
          x: cx,
          y: lineY + 14 + i * LABEL_LINE,
          text,
          style: i < lines.length ? 'label' : 'warning',
          anchor: 'middle',
          halo,
        }),
      );
    }
    return out;
  };

  // Users, virtual addresses and load balancers reach the next column over a bus.
  const busGroups: TopologyEdge[][] = [usersOut, edgesOf('vip'), edgesOf('backend')];
  for (const group of busGroups) {
    if (group.length === 0) continue;
    const sources = [...new Set(group.map((e) => e.from))];
    const targets = [...new Set(group.map((e) => e.to))];
    const complete = sources.every((s) =>
      targets.every((t) => group.some((e) => e.from === s && e.to === t)),
    );
    const lastBus =
      Math.max(...group.map((e) => right(e.from))) +
      BUS +
      (complete ? 0 : (sources.length - 1) * 8);
    for (const edge of group) {
      const x0 = right(edge.from);
      const y0 = centerY(edge.from);
      const x1 = node(edge.to).x;
      const y1 = centerY(edge.to);
      const bus = x0 + BUS + (complete ? 0 : sources.indexOf(edge.from) * 8);
      const box = hosts.find((h) => h.host.nodes.includes(edge.to));
      const end = (box ? box.x : x1) - 8;
      const points: [number, number][] =
        y0 === y1
          ? [
              [x0, y0],
              [x1, y1],
            ]
          : [
              [x0, y0],
              [bus, y0],
              [bus, y1],
              [x1, y1],
            ];
      placedEdges.push({
        edge,
        points,
        texts: labelBlock(edge, (lastBus + 10 + end) / 2, y1, 'above', 'page'),
        halo: false,
      });
    }
  }

  // Inside a web host: Nginx → the application → the local database.
  const laneX = present.has('mysql') ? colX.mysql - 22 : 0;
  for (const edge of edgesOf('proxy')) {
    const yy = centerY(edge.from);
    const x0 = right(edge.from);
    const x1 = node(edge.to).x;
    placedEdges.push({
      edge,
      points: [
        [x0, yy],
        [x1, yy],
      ],
      texts: labelBlock(edge, (x0 + x1) / 2, yy, 'above', 'box'),
      halo: false,
    });
  }
  for (const edge of edgesOf('db-local')) {
    const yy = centerY(edge.from);
    const x0 = right(edge.from);
    const x1 = node(edge.to).x;
    const end = writes.length > 0 ? laneX : x1;
    placedEdges.push({
      edge,
      points: [
        [x0, yy],
        [x1, yy],
      ],
      texts: labelBlock(edge, (x0 + end) / 2, yy, 'above', 'box'),
      halo: true,
    });
  }
  // Writes from the other web hosts to the primary, over one lane beside the database column.
  for (const edge of writes) {
    const y0 = centerY(edge.from) + 14;
    const y1 = centerY(edge.to) + 14;
    const x0 = right(edge.from);
    placedEdges.push({
      edge,
      points: [
        [x0, y0],
        [laneX, y0],
        [laneX, y1],
        [node(edge.to).x, y1],
      ],
      texts: labelBlock(edge, (x0 + laneX) / 2, y0, 'below', 'box'),
      halo: false,
    });
  }
  // Replication on the right of the database column, one lane each, shortest inside.
  const replication = edgesOf('replication')
    .map((edge) => ({ edge, span: Math.abs(centerY(edge.from) - centerY(edge.to)) }))
    .sort((a, b) => a.span - b.span);
  const lane0 = dbRight + 18;
  const labelX = lane0 + LANE_STEP * Math.max(0, replication.length - 1) + 14;
  let widest = 0;
  replication.forEach(({ edge }, k) => {
    const lane = lane0 + k * LANE_STEP;
    const y0 = centerY(edge.from) - 10;
    const y1 = centerY(edge.to) + 10;
    const lines = [...labelLines(edge), ...warningLines(edge)];
    const top = y1 - ((lines.length - 1) * LABEL_LINE) / 2 + 4;
    const texts: TextRun[] = lines.map((text, i) => ({
      x: labelX,
      y: top + i * LABEL_LINE,
      text,
      style: i < labelLines(edge).length ? 'label' : 'warning',
      anchor: 'start',
      halo: 'page',
    }));
    widest = Math.max(widest, labelX + labelWidth(edge));
    placedEdges.push({
      edge,
      points: [
        [right(edge.from), y0],
        [lane, y0],
        [lane, y1],
        [right(edge.to), y1],
      ],
      texts,
      halo: false,
    });
  });

  // Hosts with no service of the site, in a row at the bottom.
  let bottom = Math.max(
    HEADER_TOP,
    ...hosts.map((h) => h.y + h.h),
    ...[...nodes.values()].map((n) => n.y + n.h),
  );
  let ix = MARGIN;
  const idleTop = bottom + ROW_GAP;
  for (const h of idleHosts) {
    const width = Math.max(200, headerWidth(h) + 2 * PAD);
    const lines = footer(h, width - 2 * PAD);
    const height = headerHeight(h) + footerHeight(lines) + 6;
    hosts.push({
      host: h,
      x: ix,
      y: idleTop,
      w: width,
      h: height,
      texts: [...header(h, ix, idleTop), ...footerTexts(lines, ix, idleTop + headerHeight(h))],
    });
    ix += width + ROW_GAP;
    bottom = Math.max(bottom, idleTop + height);
  }
  const contentRight = Math.max(cursor + (present.has('mysql') ? PAD : 0), widest, ix - ROW_GAP);

  // Title, column heads and the legend.
  const title = topology.domains.join(', ') || 'the site';
  const texts: TextRun[] = [
    { x: MARGIN, y: 32, text: title, style: 'heading', anchor: 'start' },
    {
      x: MARGIN,
      y: 50,
      text: 'what the inventory sets up: hosts, services, addresses, ports and firewall openings',
      style: 'subheading',
      anchor: 'start',
    },
  ];
  for (const tier of order) {
    if (!present.has(tier)) continue;
    texts.push({
      x: colX[tier] + colWidth[tier] / 2,
      y: HEADER_TOP - 14,
      text: COLUMN_TITLES[tier],
      style: 'column',
      anchor: 'middle',
    });
  }
  const legendEntries: { kind: LegendItem['kind']; text: string }[] = [
    { kind: 'site', text: 'HTTP(S): users, load balancers, Nginx' },
    { kind: 'proxy', text: 'local proxy' },
    { kind: 'db-local', text: 'database reads and writes' },
    { kind: 'replication', text: 'replication' },
    { kind: 'firewall', text: 'what nftables lets in' },
    { kind: 'host', text: 'one host, with its addresses' },
  ];
  const legend: LegendItem[] = [];
  const width0 = Math.max(contentRight + MARGIN, 640);
  let lx = MARGIN;
  let lyy = bottom + 34;
  for (const entry of legendEntries) {
    const w = sampleWidth(entry.kind) + 8 + textWidth(entry.text, 'legend') + 26;
    if (lx + w > width0 - MARGIN && lx > MARGIN) {
      lx = MARGIN;
      lyy += 20;
    }
    legend.push({ kind: entry.kind, text: entry.text, x: lx, y: lyy });
    lx += w;
  }
  const width = Math.max(width0, ...texts.map((t) => t.x + textWidth(t.text, t.style) + MARGIN));
  return {
    width: Math.ceil(width),
    height: Math.ceil(lyy + 18),
    texts,
    hosts,
    nodes: topology.nodes.map((n) => nodes.get(n.id)!),
    edges: placedEdges,
    legend,
  };
}
