import { requireSiteInventory } from '../site-project';
import { renderDot } from '../../site/graph/dot';
import { renderMermaid } from '../../site/graph/mermaid';
import { renderSvg } from '../../site/graph/svg';
import { buildTopology, type Topology } from '../../site/graph/topology';
import { writeAtomically } from '../atomic-write';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';

export type GraphFormat = 'mermaid' | 'dot' | 'svg';

export interface GraphOptions {
  inventory: string;
  playbook: string;
  /** True when --playbook was given: the file must then exist. */
  playbookGiven?: boolean;
  format: GraphFormat;
  out?: string;
}

const RENDERERS: Record<GraphFormat, (topology: Topology) => string> = {
  mermaid: renderMermaid,
  dot: renderDot,
  svg: renderSvg,
};

/**
 * Draws the site the inventory describes. Reads the inventory only: no SSH,
 * and no secret is resolved (a secret variable only counts as set or not).
 */
export async function runGraph(opts: GraphOptions, io: Io): Promise<number> {
  const topology = buildTopology(
    requireSiteInventory(opts.inventory, opts.playbook, { given: opts.playbookGiven }),
  );
  const text = RENDERERS[opts.format](topology);
  if (!opts.out) {
    io.out(text);
    return ExitCode.OK;
  }
  writeAtomically(opts.out, text, io.redactor, { option: '-o', mode: 0o644 });
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  io.out(
    `wrote ${opts.out} (${opts.format}: ${count(topology.hosts.length, 'host')}, ${count(topology.edges.length, 'connection')})`,
  );
  return ExitCode.OK;
}
