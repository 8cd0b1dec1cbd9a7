/**
 * The boxes: each web host a row spanning Nginx to MySQL, database-only
 * hosts below them, the load balancers stacked in their column, the two
 * stacks centred on each other; then the virtual addresses beside their load
 * balancers and the users beside what they reach.
 */
import { hostAddressLines, type TopologyHost, type TopologyNode } from '../topology';
import type { Columns } from './columns';
import {
  FOOT_LINE,
  HEADER_TOP,
  LABEL_LINE,
  LINE,
  NODE_GAP,
  PAD,
  ROW_GAP,
  type TextRun,
} from './model';
import { centerY, type Sheet } from './sheet';
import {
  footerHeight,
  footerLines,
  headerHeight,
  maxOf,
  nodeHeight,
  type FooterLine,
} from './sizes';

/** Puts a node at (x, y), `w` wide, with its title and details centred. */
export function placeNode(sheet: Sheet, node: TopologyNode, x: number, y: number, w: number): void {
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
  sheet.placedNodes.set(node.id, { node, x, y, w, h: nodeHeight(node), texts });
}

/** A host box's name and addresses, at its top left. */
export function headerTexts(h: TopologyHost, x: number, y: number): TextRun[] {
  return [
    { x: x + PAD, y: y + 20, text: h.name, style: 'host', anchor: 'start' },
    ...hostAddressLines(h).map((l, i): TextRun => ({
      x: x + PAD,
      y: y + 36 + i * 14,
      text: l,
      style: 'address',
      anchor: 'start',
    })),
  ];
}

export function footerTexts(lines: FooterLine[], x: number, top: number): TextRun[] {
  return lines.map((l, i) => ({
    x: x + PAD,
    y: top + 12 + i * FOOT_LINE,
    text: l.text,
    style: l.style,
    anchor: 'start',
    halo: 'box',
  }));
}

/** A box of a stack: measured first, drawn once the stack's vertical offset is known. */
interface StackRow {
  height: number;
  draw(top: number): void;
}

/** Rows one under the other from HEADER_TOP; returns the stack's height and its drawer. */
function stack(rows: StackRow[]): { height: number; draw(offset: number): void } {
  const tops: number[] = [];
  let y = HEADER_TOP;
  for (const row of rows) {
    tops.push(y);
    y += row.height + ROW_GAP;
  }
  return {
    height: y - HEADER_TOP - (y > HEADER_TOP ? ROW_GAP : 0),
    draw: (offset) => rows.forEach((row, i) => row.draw(tops[i]! + offset)),
  };
}

/** A web host's row: its services side by side, room below for a write's label. */
function webRow(sheet: Sheet, cols: Columns, h: TopologyHost): StackRow {
  const writers = new Set(sheet.edgesOf('db-write').map((e) => e.from));
  const own = h.nodes.map((id) => sheet.node(id));
  const nodeH = maxOf(own.map(nodeHeight));
  const body = nodeH + (own.some((n) => writers.has(n.id)) ? 2 * LABEL_LINE + 4 : 0);
  const lines = footerLines(h, cols.webRight - cols.webLeft - 2 * PAD);
  const height = headerHeight(h) + body + footerHeight(lines) + 6;
  return {
    height,
    draw(top) {
      const bodyTop = top + headerHeight(h);
      for (const n of own)
        placeNode(
          sheet,
          n,
          cols.x[n.tier],
          bodyTop + (nodeH - nodeHeight(n)) / 2,
          cols.width[n.tier],
        );
      sheet.placedHosts.push({
        host: h,
        x: cols.webLeft,
        y: top,
        w: cols.webRight - cols.webLeft,
        h: height,
        texts: [
          ...headerTexts(h, cols.webLeft, top),
          ...footerTexts(lines, cols.webLeft, bodyTop + body),
        ],
      });
    },
  };
}

/** A host with only a database, outside the web group: a box in the database column. */
function dbRow(sheet: Sheet, cols: Columns, h: TopologyHost): StackRow {
  const n = sheet.node(h.nodes[0]!);
  const width = cols.webRight - cols.dbLeft;
  const lines = footerLines(h, width - 2 * PAD);
  const height = headerHeight(h) + nodeHeight(n) + footerHeight(lines) + 6;
  return {
    height,
    draw(top) {
      const bodyTop = top + headerHeight(h);
      placeNode(sheet, n, cols.x.mysql, bodyTop, cols.width.mysql);
      sheet.placedHosts.push({
        host: h,
        x: cols.dbLeft,
        y: top,
        w: width,
        h: height,
        texts: [
          ...headerTexts(h, cols.dbLeft, top),
          ...footerTexts(lines, cols.dbLeft, bodyTop + nodeHeight(n)),
        ],
      });
    },
  };
}

/** A load balancer's box: its services one under the other. */
function lbRow(sheet: Sheet, cols: Columns, h: TopologyHost): StackRow {
  const own = h.nodes.map((id) => sheet.node(id));
  const lines = footerLines(h, cols.lbInner);
  const body = own.reduce((sum, n) => sum + nodeHeight(n), 0) + NODE_GAP * (own.length - 1);
  const height = headerHeight(h) + body + footerHeight(lines) + 6;
  return {
    height,
    draw(top) {
      let ny = top + headerHeight(h);
      for (const n of own) {
        placeNode(sheet, n, cols.x.lb + PAD, ny, cols.lbInner);
        ny += nodeHeight(n) + NODE_GAP;
      }
      sheet.placedHosts.push({
        host: h,
        x: cols.x.lb,
        y: top,
        w: cols.width.lb,
        h: height,
        texts: [
          ...headerTexts(h, cols.x.lb, top),
          ...footerTexts(lines, cols.x.lb, top + headerHeight(h) + body),
        ],
      });
    },
  };
}

/** The host boxes of the web and load balancer columns, the two stacks centred on each other. */
export function placeHostStacks(sheet: Sheet, cols: Columns): void {
  const web = stack([
    ...sheet.webHosts.map((h) => webRow(sheet, cols, h)),
    ...sheet.dbOnlyHosts.map((h) => dbRow(sheet, cols, h)),
  ]);
  const lbs = stack(sheet.lbHosts.map((h) => lbRow(sheet, cols, h)));
  const height = Math.max(web.height, lbs.height);
  lbs.draw(Math.round((height - lbs.height) / 2));
  web.draw(Math.round((height - web.height) / 2));
}

/** Virtual addresses beside their load balancers, the users beside what they reach. */
export function placeEntryNodes(sheet: Sheet, cols: Columns): void {
  const { topology } = sheet;
  let vipBottom = HEADER_TOP;
  for (const vip of topology.nodes.filter((n) => n.tier === 'vip')) {
    const targets = topology.edges
      .filter((e) => e.from === vip.id)
      .map((e) => centerY(sheet, e.to));
    const mid = targets.reduce((a, b) => a + b, 0) / Math.max(1, targets.length);
    const top = Math.max(vipBottom, Math.round(mid - nodeHeight(vip) / 2));
    placeNode(sheet, vip, cols.x.vip, top, cols.width.vip);
    vipBottom = top + nodeHeight(vip) + ROW_GAP;
  }
  const users = topology.nodes.find((n) => n.id === 'users');
  if (!users) return;
  const targets = topology.edges.filter((e) => e.from === 'users').map((e) => centerY(sheet, e.to));
  const mid = (Math.min(...targets) + Math.max(...targets)) / 2;
  placeNode(
    sheet,
    users,
    cols.x.users,
    Math.max(HEADER_TOP, Math.round(mid - nodeHeight(users) / 2)),
    cols.width.users,
  );
}
