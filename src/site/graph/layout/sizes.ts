/** The sizes of the picture's parts, from their text. Pure. */
import {
  firewallItems,
  hostAddressLines,
  type TopologyEdge,
  type TopologyHost,
  type TopologyNode,
} from '../topology';
import { FOOT_LINE, LABEL_MAX, LINE, PAD } from './model';
import { packItems, textWidth, wrapText, type TextStyle } from './text';

export const maxOf = (values: number[], floor = 0) => Math.max(floor, ...values);

export const nodeHeight = (node: TopologyNode) => 32 + LINE * node.details.length;

export const nodeWidth = (node: TopologyNode) =>
  Math.max(
    110,
    textWidth(node.title, 'title'),
    ...node.details.map((d) => textWidth(d, 'detail')),
  ) +
  2 * PAD;

/** An edge's label lines as drawn: each wrapped to LABEL_MAX. */
export function labelLines(edge: TopologyEdge): string[] {
  return edge.label.flatMap((l) => wrapText(l, 'label', LABEL_MAX));
}

/** Only a firewall that drops the traffic is said on the edge: the host boxes list the rest. */
export function warningLines(edge: TopologyEdge): string[] {
  return edge.firewall?.startsWith('firewall DROPS')
    ? wrapText(edge.firewall, 'warning', LABEL_MAX)
    : [];
}

export function labelWidth(edge: TopologyEdge): number {
  return maxOf([
    ...labelLines(edge).map((l) => textWidth(l, 'label')),
    ...warningLines(edge).map((l) => textWidth(l, 'warning')),
  ]);
}

export const labelsWidth = (edges: TopologyEdge[]) => maxOf(edges.map(labelWidth));

/** The widest line of a host box's header: its name and addresses. */
export const headerWidth = (h: TopologyHost) =>
  maxOf([textWidth(h.name, 'host'), ...hostAddressLines(h).map((l) => textWidth(l, 'address'))]);

export const headerHeight = (h: TopologyHost) => 36 + 14 * (hostAddressLines(h).length - 1) + 14;

/** The widest firewall item of a host's footer (a long one wraps at 240). */
export const footerItemsWidth = (h: TopologyHost) =>
  maxOf(firewallItems(h).map((i) => Math.min(textWidth(i, 'firewall'), 240)));

export interface FooterLine {
  text: string;
  style: TextStyle;
}

/** A host box's footer: what its firewall lets in (or that it has none), then its notes. */
export function footerLines(h: TopologyHost, width: number): FooterLine[] {
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
}

export const footerHeight = (lines: unknown[]) => 8 + FOOT_LINE * lines.length;
