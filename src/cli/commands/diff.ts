import * as fs from 'node:fs';
import * as path from 'node:path';
import { Interrupted, UsageError } from '../../core/errors';
import type { Redactor } from '../../core/redact';
import { offlinePlan, type EarlierRender } from '../../report/offline-plan';
import { PlanCollector, type PlanMeta } from '../../report/plan-document';
import type { PlanDocument } from '../../report/plan-schema';
import { planText } from '../../report/plan-text';
import { painter, textReporter } from '../../report/text-reporter';
import { writeAtomically } from '../atomic-write';
import { diffExitCode, exitCodeFor } from '../exit-codes';
import type { Io } from '../io';
import type { VaultPasswordOptions } from '../vault-password';
import { withLiveView } from '../live-view';
import { renderedProject } from './rendered-project';
import { prepareRun } from './run-setup';

export interface DiffOptions extends VaultPasswordOptions {
  inventory: string;
  playbook: string;
  limit?: string;
  format: 'text' | 'json';
  out?: string;
  against?: string;
  forks: string;
  acceptNew?: boolean;
  verbose?: number;
  lockTimeout?: string;
  timings?: boolean;
}

/**
 * `diff`: the full plan against the live hosts, read-only (or, with
 * --against, a fresh render against an earlier one, without SSH).
 * Exit 0 converged, 2 changes pending, 1 error: Terraform's -detailed-exitcode.
 */
export async function runDiff(opts: DiffOptions, io: Io, toolVersion: string): Promise<number> {
  try {
    const doc = opts.against
      ? offlineDocument(opts, toolVersion)
      : await liveDocument(opts, io, toolVersion);
    if (opts.out) writeAtomically(opts.out, `${planJson(doc, io.redactor)}\n`, io.redactor);
    if (opts.format === 'json') io.out(planJson(doc, io.redactor));
    else {
      io.out(planText(doc, painter(io.color)));
      if (opts.timings && doc.timings)
        textReporter({ color: false, verbosity: 0, timings: true, out: (l) => io.out(l) })({
          type: 'timings',
          hosts: doc.timings,
        });
    }
    return doc.exitCode;
  } catch (error) {
    return diffExitCode(exitCodeFor(error, io));
  }
}

async function liveDocument(opts: DiffOptions, io: Io, toolVersion: string): Promise<PlanDocument> {
  const setup = await prepareRun(opts, io, { command: 'diff', mode: 'shared' });
  const collector = new PlanCollector();
  const trace =
    (opts.verbose ?? 0) > 0
      ? textReporter({
          color: false,
          verbosity: opts.verbose ?? 0,
          out: (line) => io.err(line),
        })
      : undefined;
  // On a terminal, a line per host at work on stderr (where traces go), gone
  // before the plan is printed.
  const { emit, stop } = withLiveView(io, 'err', collector.emit);
  try {
    const result = await setup.run({ emit, trace, check: true, diff: true });
    if (result.interrupted) throw new Interrupted();
  } finally {
    stop();
  }
  return collector.document(meta(opts, 'live', toolVersion), setup.hosts);
}

function offlineDocument(opts: DiffOptions, toolVersion: string): PlanDocument {
  const against = opts.against!;
  const { project, files, scope } = renderedProject(opts);
  const earlier = readRender(against);
  const removed = opts.limit
    ? []
    : [...earlier.keys()].filter((h) => !project.inventory.hosts.has(h));
  return offlinePlan(meta(opts, 'offline', toolVersion), files, earlier, scope, removed);
}

function meta(opts: DiffOptions, mode: PlanMeta['mode'], toolVersion: string): PlanMeta {
  return {
    toolVersion,
    mode,
    inventory: opts.inventory,
    playbook: opts.playbook,
    ...(opts.against !== undefined ? { against: opts.against } : {}),
  };
}

/** Reads a folder written by `render --out`: DIR/<host>/<absolute path>. */
function readRender(dir: string): EarlierRender {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new UsageError(
      `--against ${dir}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)}); it must be a folder written by \`foobar-infra render --out\``,
    );
  }
  const render: EarlierRender = new Map();
  for (const host of entries) {
    if (!host.isDirectory()) continue;
    const files = new Map<string, Buffer>();
    const walk = (rel: string) => {
      for (const e of fs.readdirSync(path.join(dir, host.name, rel), { withFileTypes: true })) {
        const r = `${rel}/${e.name}`;
        if (e.isDirectory()) walk(r);
        else if (e.isFile()) files.set(r, fs.readFileSync(path.join(dir, host.name, r)));
      }
    };
    walk('');
    render.set(host.name, files);
  }
  if (render.size === 0)
    throw new UsageError(
      `--against ${dir}: no host folders in it; write one with \`foobar-infra render --out ${dir}\``,
    );
  return render;
}

/** The document as JSON, every string redacted before it is escaped. */
function planJson(doc: PlanDocument, redactor: Redactor): string {
  return JSON.stringify(
    doc,
    (_key, value: unknown) => (typeof value === 'string' ? redactor.redact(value) : value),
    2,
  );
}
