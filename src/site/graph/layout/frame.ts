/**
 * What frames the picture: hosts with no service of the site in a row at the
 * bottom, the title and column heads at the top, the legend below all.
 */
import { TIER_ORDER } from '../topology';
import type { Columns } from './columns';
import { headerTexts, footerTexts } from './boxes';
import {
  COLUMN_TITLES,
  HEADER_TOP,
  MARGIN,
  PAD,
  ROW_GAP,
  sampleWidth,
  type LegendItem,
  type TextRun,
} from './model';
import type { Sheet } from './sheet';
import { footerHeight, footerLines, headerHeight, headerWidth } from './sizes';
import { textWidth } from './text';

/** Places the hosts of no service in a row under everything; returns the lowest point and the row's right end. */
export function placeIdleHosts(sheet: Sheet): { bottom: number; right: number } {
  let bottom = Math.max(
    HEADER_TOP,
    ...sheet.placedHosts.map((h) => h.y + h.h),
    ...[...sheet.placedNodes.values()].map((n) => n.y + n.h),
  );
  let x = MARGIN;
  const top = bottom + ROW_GAP;
  for (const h of sheet.idleHosts) {
    const width = Math.max(200, headerWidth(h) + 2 * PAD);
    const lines = footerLines(h, width - 2 * PAD);
    const height = headerHeight(h) + footerHeight(lines) + 6;
    sheet.placedHosts.push({
      host: h,
      x,
      y: top,
      w: width,
      h: height,
      texts: [...headerTexts(h, x, top), ...footerTexts(lines, x, top + headerHeight(h))],
    });
    x += width + ROW_GAP;
    bottom = Math.max(bottom, top + height);
  }
  return { bottom, right: x - ROW_GAP };
}

/** The title, what the picture shows, and a heading over each column. */
export function headings(sheet: Sheet, cols: Columns): TextRun[] {
  const title = sheet.topology.domains.join(', ') || 'the site';
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
  for (const tier of TIER_ORDER) {
    if (!sheet.present.has(tier)) continue;
    texts.push({
      x: cols.x[tier] + cols.width[tier] / 2,
      y: HEADER_TOP - 14,
      text: COLUMN_TITLES[tier],
      style: 'column',
      anchor: 'middle',
    });
  }
  return texts;
}

const LEGEND: { kind: LegendItem['kind']; text: string }[] = [
  { kind: 'site', text: 'HTTP(S): users, load balancers, Nginx' },
  { kind: 'proxy', text: 'local proxy' },
  { kind: 'db-local', text: 'database reads and writes' },
  { kind: 'replication', text: 'replication' },
  { kind: 'firewall', text: 'what nftables lets in' },
  { kind: 'host', text: 'one host, with its addresses' },
];

/** The legend from `top`, its items in rows no wider than `width`; returns them and the last row's y. */
export function legendRows(top: number, width: number): { items: LegendItem[]; lastY: number } {
  const items: LegendItem[] = [];
  let x = MARGIN;
  let y = top;
  for (const entry of LEGEND) {
    const w = sampleWidth(entry.kind) + 8 + textWidth(entry.text, 'legend') + 26;
    if (x + w > width - MARGIN && x > MARGIN) {
      x = MARGIN;
      y += 20;
    }
    items.push({ kind: entry.kind, text: entry.text, x, y });
    x += w;
  }
  return { items, lastY: y };
}
