import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, Interrupted, UsageError } from '../../core/errors';
import { MASK, type Redactor } from '../../core/redact';
import { desiredFiles } from '../../engine/desired-files';
import { playHosts } from '../../engine/expand';
import { requireProject } from '../../engine/project';
import { runPlaybook } from '../../engine/runner';
import { selectHosts } from '../../inventory/patterns';
import { offlinePlan, type EarlierRender } from '../../report/offline-plan';
import { PlanCollector, type PlanMeta } from '../../report/plan-document';
import type { PlanDocument } from '../../report/plan-schema';
import { planText } from '../../report/plan-text';
import { textReporter } from '../../report/text-reporter';
import { diffExitCode, exitCodeFor } from '../exit-codes';
import type { Io } from '../io';
import { gracefulInterrupt } from '../interrupt';
import { prepareRun } from './run-setup';

export interface DiffOptions {
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
      io.out(
        planText(doc, (text, status) =>
          io.color
            ? `\x1b[${status === 'ok' ? 32 : status === 'changed' ? 33 : 31}m${text}\x1b[0m`
            : text,
        ),
      );
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
  const setup = prepareRun(opts, io, { command: 'diff', mode: 'shared' });
  const collector = new PlanCollector();
  const trace =
    (opts.verbose ?? 0) > 0
      ? textReporter({
          color: false,
          verbosity: opts.verbose ?? 0,
          out: (line) => io.err(line),
        })
      : undefined;
  const interrupt = gracefulInterrupt(io);
  const result = await runPlaybook({
    project: setup.project,
    secret: setup.secret,
    redact: (text) => io.redactor.redact(text),
    connect: (host) =>
      setup.connect(host, trace ? (h, t) => trace({ type: 'trace', host: h, ...t }) : undefined),
    emit: collector.emit,
    check: true,
    diff: true,
    limit: opts.limit,
    forks: setup.forks,
    signal: interrupt.signal,
  }).finally(() => interrupt.dispose());
  if (result.interrupted) throw new Interrupted();
  return collector.document(meta(opts, 'live', toolVersion), setup.hosts);
}

function offlineDocument(opts: DiffOptions, toolVersion: string): PlanDocument {
  const against = opts.against!;
  const project = requireProject(opts.inventory, opts.playbook);
  if (opts.limit && selectHosts(project.inventory, opts.limit).hosts.length === 0)
    throw new UsageError(`--limit ${opts.limit} matches no host of ${opts.inventory}`);
  const { hosts, diagnostics } = desiredFiles(project, { limit: opts.limit, secret: () => MASK });
  if (diagnostics.length > 0) throw new InputError(diagnostics);
  const earlier = readRender(against);
  const inScope = new Set(project.playbook.plays.flatMap((p) => playHosts(project, p, opts.limit)));
  const scope = [...project.inventory.hosts.keys()].filter((h) => inScope.has(h));
  const removed = opts.limit
    ? []
    : [...earlier.keys()].filter((h) => !project.inventory.hosts.has(h));
  return offlinePlan(meta(opts, 'offline', toolVersion), hosts, earlier, scope, removed);
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

/** Writes beside the target, then renames: never a half-written file. */
function writeAtomically(file: string, text: string, redactor: Redactor): void {
  const target = path.resolve(file);
  const temp = `${target}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temp, redactor.redact(text), { mode: 0o644 });
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw new UsageError(
      `--out ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}
