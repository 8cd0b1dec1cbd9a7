/** The placed picture: what goes where, in pixels. Pure data, and the geometry's constants. */
import type { EdgeKind, Tier, TopologyEdge, TopologyHost, TopologyNode } from '../topology';
import type { TextStyle } from './text';

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

// Geometry, in pixels.
export const MARGIN = 24;
export const PAD = 12;
export const ROW_GAP = 22;
export const NODE_GAP = 10;
export const LINE = 14;
export const LABEL_LINE = 13;
export const FOOT_LINE = 13;
/** The widest an edge label line gets before it wraps. */
export const LABEL_MAX = 180;
export const BUS = 18;
export const LANE_STEP = 12;
export const HEADER_TOP = 92;

export const COLUMN_TITLES: Record<Tier, string> = {
  users: 'USERS',
  vip: 'VIRTUAL IP',
  lb: 'LOAD BALANCERS',
  nginx: 'NGINX',
  app: 'APPLICATION',
  mysql: 'DATABASE',
};
