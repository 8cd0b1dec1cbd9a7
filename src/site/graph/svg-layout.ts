/**
 * Where everything of a topology goes in the SVG picture. Pure geometry:
 * tiers are columns (users, virtual IPs, load balancers, then Nginx, the
 * application and MySQL inside one box per web host), hosts are boxes, edges
 * are orthogonal paths with their labels beside them, and a legend sits at the
 * bottom. Text widths are estimated from the fonts' usual advance widths (wide
 * side), so the result is the same on every machine. The steps are in
 * layout/: the columns, the boxes, the edges, the frame.
 */
import { placeEntryNodes, placeHostStacks } from './layout/boxes';
import { planColumns } from './layout/columns';
import { placeEdges } from './layout/edges';
import { headings, legendRows, placeIdleHosts } from './layout/frame';
import { MARGIN, PAD, type Layout } from './layout/model';
import { newSheet } from './layout/sheet';
import { textWidth } from './layout/text';
import type { Topology } from './topology';

export type {
  Layout,
  LegendItem,
  PlacedEdge,
  PlacedHost,
  PlacedNode,
  Rect,
  TextRun,
} from './layout/model';
export { sampleWidth } from './layout/model';
export { STYLES, textWidth, wrapText, type StyleSpec, type TextStyle } from './layout/text';

export function layoutTopology(topology: Topology): Layout {
  const sheet = newSheet(topology);
  const cols = planColumns(sheet);
  placeHostStacks(sheet, cols);
  placeEntryNodes(sheet, cols);
  const edges = placeEdges(sheet, cols);
  const idle = placeIdleHosts(sheet);
  const contentRight = Math.max(
    cols.end + (sheet.present.has('mysql') ? PAD : 0),
    edges.right,
    idle.right,
  );
  const texts = headings(sheet, cols);
  const legendWidth = Math.max(contentRight + MARGIN, 640);
  const legend = legendRows(idle.bottom + 34, legendWidth);
  const width = Math.max(
    legendWidth,
    ...texts.map((t) => t.x + textWidth(t.text, t.style) + MARGIN),
  );
  return {
    width: Math.ceil(width),
    height: Math.ceil(legend.lastY + 18),
    texts,
    hosts: sheet.placedHosts,
    nodes: topology.nodes.map((n) => sheet.placedNodes.get(n.id)!),
    edges: edges.edges,
    legend: legend.items,
  };
}
