/**
 * The edges, as orthogonal paths with their labels beside them: over a bus
 * from the users, virtual addresses and load balancers to the next column;
 * straight inside a web host; writes to the primary over one lane beside the
 * database column; replication on its right, one lane each.
 */
import type { TopologyEdge } from '../topology';
import type { Columns } from './columns';
import { BUS, LABEL_LINE, LANE_STEP, type PlacedEdge, type TextRun } from './model';
import { centerY, rightOf, type Sheet } from './sheet';
import { labelLines, labelWidth, warningLines } from './sizes';

type Where = 'above' | 'below';
type Halo = 'box' | 'page';

/** Every edge placed, and how far right the replication labels reach. */
export function placeEdges(sheet: Sheet, cols: Columns): { edges: PlacedEdge[]; right: number } {
  const label = labeller();
  const edges = [
    ...busEdges(sheet, label),
    ...inHostEdges(sheet, cols, label),
    ...writeEdges(sheet, cols, label),
  ];
  const replication = replicationEdges(sheet, cols);
  return { edges: [...edges, ...replication.edges], right: replication.right };
}

type Labeller = (
  edge: TopologyEdge,
  cx: number,
  lineY: number,
  where: Where,
  halo: Halo,
) => TextRun[];

/**
 * An edge's label block centred on `cx`, above or below its line at `lineY`.
 * Edges that share a target and a label (several lbs to one web host) say it once.
 */
function labeller(): Labeller {
  const seen = new Set<string>();
  return (edge, cx, lineY, where, halo) => {
    const key = `${Math.round(cx)},${Math.round(lineY)},${where}\n${edge.label.join('\n')}\n${edge.firewall ?? ''}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const lines = labelLines(edge);
    const warn = warningLines(edge);
    const run = (text: string, y: number, style: 'label' | 'warning'): TextRun => ({
      x: cx,
      y,
      text,
      style,
      anchor: 'middle',
      halo,
    });
    if (where === 'below')
      return [...lines, ...warn].map((text, i) =>
        run(text, lineY + 14 + i * LABEL_LINE, i < lines.length ? 'label' : 'warning'),
      );
    return [
      ...lines.map((text, i) =>
        run(text, lineY - 6 - (lines.length - 1 - i) * LABEL_LINE, 'label'),
      ),
      ...warn.map((text, i) => run(text, lineY + 14 + i * LABEL_LINE, 'warning')),
    ];
  };
}

/** Users, virtual addresses and load balancers reach the next column over a bus. */
function busEdges(sheet: Sheet, label: Labeller): PlacedEdge[] {
  const usersOut = sheet.topology.edges.filter((e) => e.from === 'users');
  return [usersOut, sheet.edgesOf('vip'), sheet.edgesOf('backend')].flatMap((group) =>
    group.length === 0 ? [] : busGroup(sheet, group, label),
  );
}

function busGroup(sheet: Sheet, group: TopologyEdge[], label: Labeller): PlacedEdge[] {
  const sources = [...new Set(group.map((e) => e.from))];
  const targets = [...new Set(group.map((e) => e.to))];
  // Every source reaches every target: one bus; else one per source, 8 apart.
  const complete = sources.every((s) =>
    targets.every((t) => group.some((e) => e.from === s && e.to === t)),
  );
  const busOf = (from: string) => (complete ? 0 : sources.indexOf(from) * 8);
  const lastBus =
    Math.max(...group.map((e) => rightOf(sheet, e.from))) +
    BUS +
    (complete ? 0 : (sources.length - 1) * 8);
  return group.map((edge) => {
    const x0 = rightOf(sheet, edge.from);
    const y0 = centerY(sheet, edge.from);
    const x1 = sheet.placedNodes.get(edge.to)!.x;
    const y1 = centerY(sheet, edge.to);
    const bus = x0 + BUS + busOf(edge.from);
    const box = sheet.placedHosts.find((h) => h.host.nodes.includes(edge.to));
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
    return {
      edge,
      points,
      texts: label(edge, (lastBus + 10 + end) / 2, y1, 'above', 'page'),
      halo: false,
    };
  });
}

/** The lane beside the database column that writes from other web hosts run on. */
const laneOf = (sheet: Sheet, cols: Columns) =>
  sheet.present.has('mysql') ? cols.x.mysql - 22 : 0;

/** Inside a web host: Nginx → the application → the local database, straight across. */
function inHostEdges(sheet: Sheet, cols: Columns, label: Labeller): PlacedEdge[] {
  const writes = sheet.edgesOf('db-write');
  const straight = (edge: TopologyEdge, labelEnd: (x1: number) => number, halo: boolean) => {
    const yy = centerY(sheet, edge.from);
    const x0 = rightOf(sheet, edge.from);
    const x1 = sheet.placedNodes.get(edge.to)!.x;
    const points: [number, number][] = [
      [x0, yy],
      [x1, yy],
    ];
    return { edge, points, texts: label(edge, (x0 + labelEnd(x1)) / 2, yy, 'above', 'box'), halo };
  };
  return [
    ...sheet.edgesOf('proxy').map((edge) => straight(edge, (x1) => x1, false)),
    // A write's lane crosses the local reads and writes: their label ends before it.
    ...sheet
      .edgesOf('db-local')
      .map((edge) => straight(edge, (x1) => (writes.length > 0 ? laneOf(sheet, cols) : x1), true)),
  ];
}

/** Writes from the other web hosts to the primary, over one lane beside the database column. */
function writeEdges(sheet: Sheet, cols: Columns, label: Labeller): PlacedEdge[] {
  const laneX = laneOf(sheet, cols);
  return sheet.edgesOf('db-write').map((edge) => {
    const y0 = centerY(sheet, edge.from) + 14;
    const y1 = centerY(sheet, edge.to) + 14;
    const x0 = rightOf(sheet, edge.from);
    const points: [number, number][] = [
      [x0, y0],
      [laneX, y0],
      [laneX, y1],
      [sheet.placedNodes.get(edge.to)!.x, y1],
    ];
    return { edge, points, texts: label(edge, (x0 + laneX) / 2, y0, 'below', 'box'), halo: false };
  });
}

/** Replication on the right of the database column, one lane each, the shortest inside. */
function replicationEdges(sheet: Sheet, cols: Columns): { edges: PlacedEdge[]; right: number } {
  const replication = sheet
    .edgesOf('replication')
    .map((edge) => ({
      edge,
      span: Math.abs(centerY(sheet, edge.from) - centerY(sheet, edge.to)),
    }))
    .sort((a, b) => a.span - b.span);
  const lane0 = cols.webRight + 18;
  const labelX = lane0 + LANE_STEP * Math.max(0, replication.length - 1) + 14;
  let right = 0;
  const edges = replication.map(({ edge }, k): PlacedEdge => {
    const lane = lane0 + k * LANE_STEP;
    const y0 = centerY(sheet, edge.from) - 10;
    const y1 = centerY(sheet, edge.to) + 10;
    const labels = labelLines(edge);
    const lines = [...labels, ...warningLines(edge)];
    const top = y1 - ((lines.length - 1) * LABEL_LINE) / 2 + 4;
    right = Math.max(right, labelX + labelWidth(edge));
    return {
      edge,
      points: [
        [rightOf(sheet, edge.from), y0],
        [lane, y0],
        [lane, y1],
        [rightOf(sheet, edge.to), y1],
      ],
      texts: lines.map((text, i) => ({
        x: labelX,
        y: top + i * LABEL_LINE,
        text,
        style: i < labels.length ? 'label' : 'warning',
        anchor: 'start',
        halo: 'page',
      })),
      halo: false,
    };
  });
  return { edges, right };
}
