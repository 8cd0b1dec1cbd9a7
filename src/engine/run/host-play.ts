import { LockError } from '../../core/errors';
import type { Fact } from '../../facts/types';
import { describeChange } from '../../changes/kinds';
import { PlanError } from '../../modules/plan-error';
import type { Play } from '../../playbook/model';
import type { HostTask, PlayExpander } from '../expand';
import type { HostDriver } from '../host-driver';
import { batchAfter, executeBatch } from './batching';
import { requestsOf } from './fact-cache';
import { inspectFiles } from './file-inspection';
import { planTask } from './plan-task';
import { runHandlers, type HandlerQueue } from './handlers';
import { gateFor, gateStep, settleGate } from './host-gate';
import { DRAINED, type RolloutGate } from './rollout';
import type { RunContext } from './options';

/**
 * One play on one host: prepare its tasks, gather once, then plan and change
 * task by task (file tasks in a row batched), then the handlers.
 */
export async function playOnHost(
  run: RunContext,
  play: Play,
  expander: PlayExpander,
  host: string,
): Promise<void> {
  const driver = await run.connections.driver(host);
  if (!driver) return;
  const vars = expander.vars(host);
  const prepared = prepareTasks(run, play, expander, host, vars);
  if (!prepared) return;
  const gate = gateFor(run, play, expander, host, driver, vars);
  if (gate === null) return;
  const start = await firstFacts(run, driver, play, host, prepared);
  if (!start) return;
  if (gate && start.leftDrained && !(await gateStep(run, host, TAKE_OVER, () => gate.adopt())))
    return;
  const done = await runTasks({ run, driver, play, host, prepared, gate }, start);
  const handlers = (queued: Set<string>) =>
    run.record.timed(host, 'handlers', () =>
      runHandlers(run, play, expander, host, driver, queued, vars),
    );
  // Handlers an earlier run left pending (an app restart) are changes too: out of rotation first.
  const ready =
    done &&
    (!gate ||
      start.handlers.queued.size === 0 ||
      (await gateStep(run, host, DRAIN, () => gate.beforeChange())));
  if (ready) await handlers(start.handlers.queued);
  if (gate) await settleGate(run, host, gate, handlers);
}

/** What a failed gate step is reported as. */
const DRAIN = 'rollout: out of rotation before the change';
const TAKE_OVER = 'rollout health gate';

/** The play's selected tasks, expanded for the host; undefined when one cannot be (reported failed). */
function prepareTasks(
  run: RunContext,
  play: Play,
  expander: PlayExpander,
  host: string,
  vars: Record<string, unknown>,
): HostTask[] | undefined {
  const prepared: HostTask[] = [];
  for (const task of play.tasks.filter((t) => selected(run, t))) {
    try {
      prepared.push(expander.prepare(task, host, vars));
    } catch (error) {
      run.record.fail(host, task, error);
      return undefined;
    }
  }
  return prepared;
}

export function selected(run: RunContext, task: { tags: string[] }): boolean {
  const tags = run.options.tags;
  return (
    !tags || tags.length === 0 || task.tags.some((t) => tags.includes(t)) || tags.includes('all')
  );
}

interface PlayStart {
  facts: Map<string, Fact>;
  handlers: HandlerQueue;
  /** An earlier run drained the host for this play's rollout and stopped before it was back. */
  leftDrained: boolean;
}

/**
 * The play's first gather on the host (from the look-ahead when it is still
 * valid), with the handlers an earlier run left pending on it. Undefined
 * when the host failed (its lock taken, the connection lost): reported.
 */
async function firstFacts(
  run: RunContext,
  driver: HostDriver,
  play: Play,
  host: string,
  prepared: readonly HostTask[],
): Promise<PlayStart | undefined> {
  try {
    const gathered = await run.record.timed(host, 'facts', () =>
      run.facts.forPlay(driver, play, host, prepared),
    );
    const names = new Set(play.handlers.map((h) => h.name));
    const fromHost = gathered.pending.filter((p) => p.play === play.name && names.has(p.handler));
    if (fromHost.length) {
      run.options.emit({
        type: 'note',
        host,
        message: `handlers left pending by an earlier run: ${fromHost.map((p) => p.handler).join(', ')}`,
      });
    }
    const pending = fromHost.map((p) => p.handler);
    return {
      facts: gathered.facts,
      handlers: { recorded: new Set(pending), queued: new Set(pending) },
      leftDrained: gathered.pending.some((p) => p.play === play.name && p.handler === DRAINED),
    };
  } catch (error) {
    if (error instanceof LockError) {
      run.record.locked.add(host);
      run.record.fail(host, { name: 'take the run lock' }, error);
    } else run.record.lost(host, play.tasks[0], error);
    return undefined;
  }
}

/** One host's play as its tasks run. */
interface HostPlay {
  run: RunContext;
  driver: HostDriver;
  play: Play;
  host: string;
  prepared: readonly HostTask[];
  gate?: RolloutGate;
}

/**
 * The tasks in order. Returns false when the host stopped (a failure, or the
 * run aborted) and its handlers must not run.
 */
async function runTasks(p: HostPlay, start: PlayStart): Promise<boolean> {
  const { run, host } = p;
  let facts = start.facts;
  let stale = false;
  for (let i = 0; i < p.prepared.length; i++) {
    if (run.aborted()) return false;
    const t = p.prepared[i]!;
    if (t.skipped) {
      run.record.report(host, t.task, 'skipped', [], false);
      continue;
    }
    run.started(host, t, false);
    try {
      if (stale) {
        const rest = p.prepared.slice(i);
        facts = (await run.record.timed(host, 'facts', () => p.driver.gather(requestsOf(rest))))
          .facts;
        stale = false;
      }
      const step = await planAndChange(p, i, facts, start.handlers);
      if (step === 'stop') return false;
      if (typeof step === 'number') {
        i += step - 1;
        stale = true;
      }
    } catch (error) {
      run.record.lost(host, t.task, error);
      return false;
    }
  }
  return true;
}

/**
 * Plans the task at `i` and, outside a dry run, changes it (with the file
 * tasks batched after it). Returns how many tasks ran when something
 * changed, 'stop' when the host failed, or 'next'.
 */
async function planAndChange(
  p: HostPlay,
  i: number,
  facts: Map<string, Fact>,
  handlers: HandlerQueue,
): Promise<number | 'stop' | 'next'> {
  const { run, host, driver } = p;
  const t = p.prepared[i]!;
  const changes = await planTask(run, driver, host, t, facts);
  if (changes.length === 0) {
    run.record.report(host, t.task, 'ok', [], false);
    return 'next';
  }
  const deferred = changes.find((c) => c.kind === 'deferred');
  if (deferred && !run.options.check) throw new PlanError(describeChange(deferred));
  const refused = await inspectFiles(run, driver, host, t.task, changes);
  if (refused) {
    // Dry run: a candidate its validator refuses is a finding; the plan goes on.
    run.record.refused(host, t.task, changes, refused);
    return 'next';
  }
  if (run.options.check) {
    for (const n of t.task.notify) handlers.queued.add(n);
    run.record.report(host, t.task, 'changed', changes, false);
    return 'next';
  }
  const batch = await batchAfter(run, driver, host, p.prepared, i, changes, facts);
  const gate = p.gate;
  if (gate && !(await gateStep(run, host, DRAIN, () => gate.beforeChange()))) return 'stop';
  const done = await executeBatch(run, driver, host, p.play, batch, handlers);
  p.gate?.record(batch.slice(0, done));
  return done < batch.length ? 'stop' : batch.length;
}
