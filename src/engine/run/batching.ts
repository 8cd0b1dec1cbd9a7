import type { Fact, FactRequest } from '../../facts/types';
import type { Change } from '../../changes/model';
import { PlanError } from '../../modules/plan-error';
import type { Play } from '../../playbook/model';
import type { TaskGroup } from '../change-script';
import type { HostTask } from '../expand';
import { ChangeFailed, type HostDriver } from '../host-driver';
import type { HandlerQueue } from './handlers';
import { requestsOf } from './fact-cache';
import { inspectFiles } from './file-inspection';
import { planTask } from './plan-task';
import type { RunContext } from './options';

export interface BatchEntry {
  t: HostTask;
  changes: Change[];
}

/** Task types whose changes are files only: they can share one remote command. */
const BATCHABLE = new Set(['template', 'copy', 'file']);

/**
 * Whether a change can alter what a fact request reads: the same path, or one
 * inside the other (creating a folder leaves what is under it as it was).
 */
export function affects(change: Change, request: FactRequest): boolean {
  if (!('path' in change) || !('path' in request)) return false;
  const a = change.path;
  const b = request.path;
  if (a === b || a.startsWith(`${b}/`)) return true;
  return b.startsWith(`${a}/`) && change.kind !== 'mkdir';
}

/**
 * The task at `i` (with its planned `changes`), followed by the next tasks
 * that can go in the same remote command: file tasks (template, copy, file)
 * whose facts the earlier ones' changes cannot alter, planned from the same
 * facts. A task with nothing to do joins as `ok`.
 */
export async function batchAfter(
  run: RunContext,
  driver: HostDriver,
  host: string,
  prepared: readonly HostTask[],
  i: number,
  changes: Change[],
  facts: Map<string, Fact>,
): Promise<BatchEntry[]> {
  const first = prepared[i]!;
  const batch: BatchEntry[] = [{ t: first, changes }];
  if (!BATCHABLE.has(first.module.name)) return batch;
  for (let k = i + 1; k < prepared.length && !run.aborted(); k++) {
    const next = prepared[k]!;
    if (next.skipped || !BATCHABLE.has(next.module.name)) break;
    const changed = batch.flatMap((b) => b.changes);
    if (requestsOf([next]).some((r) => changed.some((c) => affects(c, r)))) break;
    run.started(host, next, false);
    const more = await planTask(run, driver, host, next, facts);
    if (more.some((c) => c.kind === 'deferred' || c.kind === 'transfer')) break;
    // Outside a dry run this only prints diffs: validation happens in the script.
    if (more.length > 0) await inspectFiles(run, driver, host, next.task, more);
    batch.push({ t: next, changes: more });
  }
  return batch;
}

/**
 * Runs a batch's changes in one remote command, each task recording its
 * handlers right before its own first change; reports every task. Returns
 * how many tasks completed: fewer than the batch when one failed (that one
 * is reported failed).
 */
export async function executeBatch(
  run: RunContext,
  driver: HostDriver,
  host: string,
  play: Play,
  batch: BatchEntry[],
  handlers: HandlerQueue,
): Promise<number> {
  const { groups, all, owners } = groupChanges(play, batch, handlers.recorded);
  const finish = (count: number) => {
    for (const b of batch.slice(0, count)) {
      if (b.changes.length === 0) {
        run.record.report(host, b.t.task, 'ok', [], false);
        continue;
      }
      for (const n of b.t.task.notify) {
        handlers.recorded.add(n);
        handlers.queued.add(n);
      }
      run.record.report(host, b.t.task, 'changed', b.changes, false);
    }
  };
  await fetchTransfers(run, host, all);
  run.facts.changed();
  try {
    await run.record.timed(host, 'execute', () => driver.execute(all, { groups }));
  } catch (error) {
    if (!(error instanceof ChangeFailed)) throw error;
    // The tasks before the failing group completed; the rest never ran.
    const failedAt = owners[error.completedGroups] ?? batch.length - 1;
    finish(failedAt);
    run.record.fail(host, batch[failedAt]!.t.task, error);
    return failedAt;
  }
  const unconfirmed = await confirmActivations(run, driver, host, batch);
  if (unconfirmed) {
    finish(unconfirmed.index);
    run.record.fail(host, batch[unconfirmed.index]!.t.task, unconfirmed.error);
    return unconfirmed.index;
  }
  finish(batch.length);
  return batch.length;
}

/** The batch's changes in one list, each task's group with the handlers it records first. */
function groupChanges(play: Play, batch: BatchEntry[], recorded: Set<string>) {
  const groups: TaskGroup[] = [];
  const all: Change[] = [];
  const owners: number[] = [];
  const recording = new Set(recorded);
  batch.forEach((b, index) => {
    if (b.changes.length === 0) return;
    const record = b.t.task.notify
      .filter((n) => !recording.has(n))
      .map((handler) => ({ play: play.name, handler }));
    for (const r of record) recording.add(r.handler);
    groups.push({ start: all.length, record });
    owners.push(index);
    all.push(...b.changes);
  });
  return { groups, all, owners };
}

/**
 * A change loaded into the running system (a firewall ruleset) stays only
 * when a new connection confirms it. Returns the first task whose change was
 * not confirmed, with why, or undefined when all were.
 */
async function confirmActivations(
  run: RunContext,
  driver: HostDriver,
  host: string,
  batch: BatchEntry[],
): Promise<{ index: number; error: ChangeFailed } | undefined> {
  for (const [index, b] of batch.entries()) {
    for (const change of b.changes) {
      if (change.kind !== 'write' || !change.activate) continue;
      try {
        await run.record.timed(host, 'execute', () => driver.confirm(change));
      } catch (error) {
        if (!(error instanceof ChangeFailed)) throw error;
        return { index, error };
      }
    }
  }
  return undefined;
}

/** Fills each transfer's data from its source host, over that host's connection. */
async function fetchTransfers(run: RunContext, host: string, changes: Change[]): Promise<void> {
  for (const c of changes) {
    if (c.kind !== 'transfer') continue;
    const source = await run.connections.driver(c.from);
    if (!source) throw new PlanError(`${c.reason}: the source host ${c.from} is unreachable`);
    c.data = await run.record.timed(host, 'execute', () => source.capture(c.exportScript));
  }
}
