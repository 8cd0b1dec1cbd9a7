import { LockError, TemplateError, TransportError } from '../core/errors';
import { maskedFileDiff } from '../core/secret-diff';
import { factKey, type Fact, type FactRequest } from '../facts/types';
import { describeChange, type Change } from '../modules/changes';
import { FactView } from '../modules/fact-view';
import { PlanError } from '../modules/plan-error';
import type { Play, Task } from '../playbook/model';
import type { SecretValue } from '../render/context';
import {
  emptyCounters,
  emptyTimings,
  type EngineEvent,
  type HostCounters,
  type HostTimings,
  type TaskStatus,
} from './events';
import { PlayExpander, playHosts, type HostTask } from './expand';
import type { TaskGroup } from './change-script';
import { ChangeFailed, type Gathered, type HostDriver } from './host-driver';
import { batches, runPool } from './pool';
import type { Project } from './project';

export interface RunOptions {
  project: Project;
  /** Opens the driver of a host: one connection per host per run. */
  connect: (host: string) => Promise<HostDriver>;
  secret: SecretValue;
  /** Masks every secret value of the run (the CLI's redactor). */
  redact: (text: string) => string;
  emit: (event: EngineEvent) => void;
  check: boolean;
  diff: boolean;
  limit?: string;
  tags?: string[];
  forks: number;
  /**
   * Aborted on Ctrl-C: no task or handler starts after it; the changes in
   * flight finish (each is one atomic script), handlers stay recorded on the
   * hosts for the next run, and the recap shows what ran.
   */
  signal?: AbortSignal;
}

export interface RunResult {
  hosts: Record<string, HostCounters>;
  /** Hosts with a failed task. */
  failed: string[];
  unreachable: string[];
  /** True when any host has (or, in check mode, would have) changes. */
  changed: boolean;
  /** The run was interrupted (`signal`) before it finished. */
  interrupted: boolean;
  /** Hosts whose lock another run holds (also in `failed`). */
  locked: string[];
  drivers: Map<string, HostDriver>;
}

/** Runs a playbook: plays in order, hosts in parallel (bounded), tasks in order per host. */
export async function runPlaybook(options: RunOptions): Promise<RunResult> {
  const run = new PlaybookRun(options);
  try {
    await run.all();
  } finally {
    await run.closeAll();
  }
  options.emit({ type: 'recap', hosts: run.counters });
  options.emit({ type: 'timings', hosts: run.timingsWithCounters() });
  return run.result();
}

class PlaybookRun {
  readonly counters: Record<string, HostCounters> = {};
  readonly timings: Record<string, HostTimings> = {};
  private readonly drivers = new Map<string, HostDriver>();
  private readonly connecting = new Map<string, Promise<HostDriver | undefined>>();
  private readonly down = new Set<string>();
  private readonly failed = new Set<string>();
  private readonly unreachable = new Set<string>();
  private readonly locked = new Set<string>();
  private abortedByFailure = false;
  /** The play being run (plays run one after another). */
  private play = '';
  private readonly expanders = new Map<Play, PlayExpander>();
  /**
   * Counts the changes made anywhere in the run. Facts gathered for a later
   * play stay valid only while it has not moved: one host's change can alter
   * what another host's later task sees (a user made on the primary).
   */
  private changeEpoch = 0;
  /** Per host: facts gathered ahead for the plays still to come, and when. */
  private readonly ahead = new Map<
    string,
    { gathered: Gathered; epoch: number; keys: Set<string> }
  >();

  constructor(private readonly o: RunOptions) {}

  private get interrupted(): boolean {
    return this.o.signal?.aborted ?? false;
  }

  /** No more work starts: after a fatal failure, or once interrupted. */
  private get aborted(): boolean {
    return this.abortedByFailure || this.interrupted;
  }

  timingsWithCounters(): Record<string, HostTimings> {
    for (const [host, d] of this.drivers) {
      const t = (this.timings[host] ??= emptyTimings());
      t.connections = d.connections;
      t.commands = d.commands;
    }
    return this.timings;
  }

  /** Adds the time `work` takes to a host's phase. */
  private async timed<T>(
    host: string,
    phase: Exclude<keyof HostTimings, 'connections' | 'commands'>,
    work: () => Promise<T> | T,
  ): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      (this.timings[host] ??= emptyTimings())[phase] += performance.now() - start;
    }
  }

  result(): RunResult {
    return {
      hosts: this.counters,
      failed: [...this.failed],
      unreachable: [...this.unreachable],
      changed: Object.values(this.counters).some((c) => c.changed > 0),
      interrupted: this.interrupted,
      locked: [...this.locked],
      drivers: this.drivers,
    };
  }

  async all(): Promise<void> {
    await this.plays();
    if (this.interrupted)
      this.o.emit({
        type: 'note',
        message:
          'interrupted: no task started after the signal; the changes in flight finished. Handlers not run yet stay recorded on their hosts and run on the next apply.',
      });
  }

  private async plays(): Promise<void> {
    for (const play of this.o.project.playbook.plays) {
      if (this.aborted) break;
      const hosts = playHosts(this.o.project, play, this.o.limit);
      for (const h of hosts) this.counters[h] ??= emptyCounters();
      const live = hosts.filter((h) => !this.down.has(h));
      this.play = play.name;
      this.o.emit({ type: 'play', play: play.name, hosts: live, check: this.o.check });
      const expander = this.expander(play);
      for (const batch of batches(live, play.serial)) {
        if (this.aborted) break;
        const before = this.failed.size + this.unreachable.size;
        await runPool(batch, this.o.forks, (host) => this.playOnHost(play, expander, host));
        const newlyFailed = this.failed.size + this.unreachable.size - before;
        if (this.interrupted) break;
        if (newlyFailed > 0 && play.anyErrorsFatal) this.abortedByFailure = true;
        if (
          play.maxFailPercentage !== undefined &&
          (newlyFailed * 100) / batch.length > play.maxFailPercentage
        ) {
          this.abortedByFailure = true;
        }
        if (this.abortedByFailure)
          this.o.emit({
            type: 'note',
            message: `stopping: ${play.anyErrorsFatal ? 'any_errors_fatal' : 'max_fail_percentage'} after a failure`,
          });
      }
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.drivers.values()].map((d) => d.close().catch(() => undefined)));
  }

  private async driver(host: string): Promise<HostDriver | undefined> {
    const existing = this.drivers.get(host);
    if (existing) return existing;
    let pending = this.connecting.get(host);
    if (!pending) {
      pending = this.timed(host, 'connect', () => this.o.connect(host)).then(
        (d) => {
          this.drivers.set(host, d);
          return d;
        },
        (error: unknown) => {
          this.markUnreachable(host, error);
          return undefined;
        },
      );
      this.connecting.set(host, pending);
    }
    return pending;
  }

  private markUnreachable(host: string, error: unknown): void {
    this.down.add(host);
    this.unreachable.add(host);
    this.counters[host]!.unreachable++;
    const message = error instanceof Error ? error.message : String(error);
    this.o.emit({ type: 'unreachable', host, error: message });
  }

  private report(
    host: string,
    task: Pick<Task, 'name'>,
    status: TaskStatus,
    changes: Change[],
    handler: boolean,
    error?: string,
  ): void {
    const c = this.counters[host]!;
    if (status === 'ok') c.ok++;
    else if (status === 'changed') c.changed++;
    else if (status === 'skipped') c.skipped++;
    else c.failed++;
    this.o.emit({
      type: 'task',
      host,
      play: this.play,
      task: task.name,
      status,
      changes,
      handler,
      error,
    });
  }

  private fail(host: string, task: Pick<Task, 'name'>, error: unknown, handler = false): void {
    this.failed.add(host);
    this.down.add(host);
    const message =
      error instanceof TemplateError || error instanceof ChangeFailed || error instanceof PlanError
        ? error.message
        : error instanceof Error
          ? error.message
          : String(error);
    this.report(host, task, 'failed', [], handler, message);
  }

  private selected(task: Task): boolean {
    const tags = this.o.tags;
    return (
      !tags || tags.length === 0 || task.tags.some((t) => tags.includes(t)) || tags.includes('all')
    );
  }

  /** The play's expander, made once per run (later plays' facts are prepared ahead). */
  private expander(play: Play): PlayExpander {
    let e = this.expanders.get(play);
    if (!e) {
      e = new PlayExpander(
        this.o.project,
        play,
        this.o.secret,
        undefined,
        (text) => this.o.redact(text) !== text,
      );
      this.expanders.set(play, e);
    }
    return e;
  }

  /**
   * The facts a play's tasks need on a host, in one remote command at most.
   * The first gather on a host also asks for everything the host's later
   * plays will need, so that a run that changes nothing costs one command per
   * host; those facts are used only while no change has been made anywhere.
   */
  private async gatherFor(
    driver: HostDriver,
    play: Play,
    host: string,
    prepared: readonly HostTask[],
  ): Promise<Gathered> {
    const wanted = requestsOf(prepared);
    const ahead = this.ahead.get(host);
    if (
      ahead &&
      ahead.epoch === this.changeEpoch &&
      wanted.every((r) => ahead.keys.has(factKey(r)))
    )
      return ahead.gathered;
    const epoch = this.changeEpoch;
    const later = this.laterRequests(play, host);
    const all = new Map([...later, ...wanted].map((r) => [factKey(r), r]));
    const gathered = await driver.gather([...all.values()]);
    this.ahead.set(host, { gathered, epoch, keys: new Set(all.keys()) });
    return gathered;
  }

  /** What the plays after `play` will ask of `host` (best effort: a task that cannot be prepared yet is left out). */
  private laterRequests(play: Play, host: string): FactRequest[] {
    const plays = this.o.project.playbook.plays;
    const out: FactRequest[] = [];
    for (const later of plays.slice(plays.indexOf(play) + 1)) {
      if (!playHosts(this.o.project, later, this.o.limit).includes(host)) continue;
      const expander = this.expander(later);
      const vars = expander.vars(host);
      const tasks: HostTask[] = [];
      for (const task of later.tasks.filter((t) => this.selected(t))) {
        try {
          tasks.push(expander.prepare(task, host, vars));
        } catch {
          // Reported when that play runs.
        }
      }
      out.push(...requestsOf(tasks));
    }
    return out;
  }

  /** One play on one host, between its host-start and host-done events. */
  private async playOnHost(play: Play, expander: PlayExpander, host: string): Promise<void> {
    if (this.aborted) return;
    this.o.emit({ type: 'host-start', host, play: play.name });
    try {
      await this.playTasksOnHost(play, expander, host);
    } finally {
      this.o.emit({ type: 'host-done', host, play: play.name });
    }
  }

  /** Tells the live view that a host starts a task or handler. */
  private started(host: string, t: HostTask, handler: boolean): void {
    this.o.emit({
      type: 'task-start',
      host,
      play: this.play,
      task: t.task.name,
      handler,
      long: t.module.long ?? false,
    });
  }

  /** Gather once, then plan and change task by task, then handlers. */
  private async playTasksOnHost(play: Play, expander: PlayExpander, host: string): Promise<void> {
    const driver = await this.driver(host);
    if (!driver) return;
    const vars = expander.vars(host);
    const prepared: HostTask[] = [];
    for (const task of play.tasks.filter((t) => this.selected(t))) {
      try {
        prepared.push(expander.prepare(task, host, vars));
      } catch (error) {
        this.fail(host, task, error);
        return;
      }
    }
    let facts: Map<string, Fact>;
    let queued: Set<string>;
    const recorded = new Set<string>();
    try {
      const gathered = await this.timed(host, 'facts', () =>
        this.gatherFor(driver, play, host, prepared),
      );
      facts = gathered.facts;
      const names = new Set(play.handlers.map((h) => h.name));
      const fromHost = gathered.pending.filter((p) => p.play === play.name && names.has(p.handler));
      for (const p of fromHost) recorded.add(p.handler);
      queued = new Set(fromHost.map((p) => p.handler));
      if (fromHost.length) {
        this.o.emit({
          type: 'note',
          host,
          message: `handlers left pending by an earlier run: ${fromHost.map((p) => p.handler).join(', ')}`,
        });
      }
    } catch (error) {
      if (error instanceof LockError) {
        this.locked.add(host);
        this.fail(host, { name: 'take the run lock' }, error);
      } else this.lost(host, play.tasks[0], error);
      return;
    }
    let stale = false;
    for (let i = 0; i < prepared.length; i++) {
      if (this.aborted) return;
      const t = prepared[i]!;
      if (t.skipped) {
        this.report(host, t.task, 'skipped', [], false);
        continue;
      }
      this.started(host, t, false);
      try {
        if (stale) {
          facts = (
            await this.timed(host, 'facts', () => driver.gather(requestsOf(prepared.slice(i))))
          ).facts;
          stale = false;
        }
        const current = facts;
        const changes = await this.timed(host, 'plan', () =>
          t.module.plan(t.args as never, new FactView(current), t.ctx),
        );
        if (changes.length === 0) {
          this.report(host, t.task, 'ok', [], false);
          continue;
        }
        const deferred = changes.find((c) => c.kind === 'deferred');
        if (deferred && !this.o.check) throw new PlanError(describeChange(deferred));
        const refused = await this.inspectFiles(driver, host, t.task, changes);
        if (refused) {
          // Dry run: a candidate its validator refuses is a finding; the plan goes on.
          this.failed.add(host);
          this.report(host, t.task, 'failed', changes, false, refused);
          continue;
        }
        if (!this.o.check) {
          const batch = await this.batchAfter(driver, host, prepared, i, changes, current);
          const done = await this.executeBatch(driver, host, play, batch, recorded, queued);
          i += batch.length - 1;
          stale = true;
          if (done < batch.length) return;
          continue;
        }
        for (const n of t.task.notify) queued.add(n);
        this.report(host, t.task, 'changed', changes, false);
      } catch (error) {
        if (error instanceof TransportError || isConnectionLoss(error))
          this.lost(host, t.task, error);
        else this.fail(host, t.task, error);
        return;
      }
    }
    await this.timed(host, 'handlers', () =>
      this.runHandlers(play, expander, host, driver, queued, vars),
    );
  }

  /**
   * The task at `i` (with its planned `changes`), followed by the next tasks
   * that can go in the same remote command: file tasks (template, copy, file)
   * whose facts the earlier ones' changes cannot alter, planned from the same
   * facts. A task with nothing to do joins as `ok`.
   */
  private async batchAfter(
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
    for (let k = i + 1; k < prepared.length && !this.aborted; k++) {
      const next = prepared[k]!;
      if (next.skipped || !BATCHABLE.has(next.module.name)) break;
      const changed = batch.flatMap((b) => b.changes);
      if (requestsOf([next]).some((r) => changed.some((c) => affects(c, r)))) break;
      this.started(host, next, false);
      const more = await this.timed(host, 'plan', () =>
        next.module.plan(next.args as never, new FactView(facts), next.ctx),
      );
      if (more.some((c) => c.kind === 'deferred' || c.kind === 'transfer')) break;
      // Outside a dry run this only prints diffs: validation happens in the script.
      if (more.length > 0) await this.inspectFiles(driver, host, next.task, more);
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
  private async executeBatch(
    driver: HostDriver,
    host: string,
    play: Play,
    batch: BatchEntry[],
    recorded: Set<string>,
    queued: Set<string>,
  ): Promise<number> {
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
    const finish = (count: number) => {
      for (const b of batch.slice(0, count)) {
        if (b.changes.length === 0) {
          this.report(host, b.t.task, 'ok', [], false);
          continue;
        }
        for (const n of b.t.task.notify) {
          recorded.add(n);
          queued.add(n);
        }
        this.report(host, b.t.task, 'changed', b.changes, false);
      }
    };
    await this.fetchTransfers(host, all);
    this.changeEpoch++;
    try {
      await this.timed(host, 'execute', () => driver.execute(all, { groups }));
    } catch (error) {
      if (!(error instanceof ChangeFailed)) throw error;
      // The tasks before the failing group completed; the rest never ran.
      const failedAt = owners[error.completedGroups] ?? batch.length - 1;
      finish(failedAt);
      this.fail(host, batch[failedAt]!.t.task, error);
      return failedAt;
    }
    // A change loaded into the running system (a firewall ruleset) stays only
    // when a new connection confirms it.
    for (const [index, b] of batch.entries()) {
      for (const change of b.changes) {
        if (change.kind !== 'write' || !change.activate) continue;
        try {
          await this.timed(host, 'execute', () => driver.confirm(change));
        } catch (error) {
          if (!(error instanceof ChangeFailed)) throw error;
          finish(index);
          this.fail(host, b.t.task, error);
          return index;
        }
      }
    }
    finish(batch.length);
    return batch.length;
  }

  /** Notified (or left pending) handlers, once each, in definition order. */
  private async runHandlers(
    play: Play,
    expander: PlayExpander,
    host: string,
    driver: HostDriver,
    queued: Set<string>,
    vars: Record<string, unknown>,
  ): Promise<void> {
    for (const handler of play.handlers) {
      if (!queued.has(handler.name) || this.aborted) continue;
      try {
        const t = expander.prepare(handler, host, vars);
        if (t.skipped) {
          this.report(host, handler, 'skipped', [], true);
          continue;
        }
        this.started(host, t, true);
        const { facts } = await driver.gather(requestsOf([t]));
        const changes = t.module.plan(t.args as never, new FactView(facts), t.ctx);
        if (!this.o.check) {
          this.changeEpoch++;
          await driver.execute(changes, { clear: [{ play: play.name, handler: handler.name }] });
        }
        this.report(host, handler, 'changed', changes, true);
      } catch (error) {
        if (error instanceof TransportError || isConnectionLoss(error))
          this.lost(host, handler, error);
        else this.fail(host, handler, error, true);
        return;
      }
    }
  }

  private lost(host: string, task: Task | undefined, error: unknown): void {
    if (error instanceof TransportError || isConnectionLoss(error)) {
      this.markUnreachable(host, error);
      return;
    }
    if (task) this.fail(host, task, error);
    else this.markUnreachable(host, error);
  }

  /** Fills each transfer's data from its source host, over that host's connection. */
  private async fetchTransfers(host: string, changes: Change[]): Promise<void> {
    for (const c of changes) {
      if (c.kind !== 'transfer') continue;
      const source = await this.driver(c.from);
      if (!source) throw new PlanError(`${c.reason}: the source host ${c.from} is unreachable`);
      c.data = await this.timed(host, 'execute', () => source.capture(c.exportScript));
    }
  }

  /**
   * For a task's file writes: with --diff, emits each file's diff (secrets
   * masked); in a dry run, validates each candidate on the host (in a private
   * temp folder) and returns the refusal, if any. One round trip at most.
   */
  private async inspectFiles(
    driver: HostDriver,
    host: string,
    task: Task,
    changes: Change[],
  ): Promise<string | undefined> {
    const writes = changes.filter((c): c is WriteChange => c.kind === 'write');
    const validate = this.o.check && writes.some((w) => w.validate);
    if (writes.length === 0 || (!this.o.diff && !validate)) return undefined;
    const inspections = await this.timed(host, 'plan', () =>
      driver.inspect(writes, { before: this.o.diff, validate }),
    );
    let refused: string | undefined;
    writes.forEach((w, i) => {
      const r = inspections[i]!;
      if (this.o.diff) {
        const { hunks, masked } = maskedFileDiff(r.before, w.content, this.o.redact, w.conceal);
        this.o.emit({
          type: 'diff',
          host,
          task: task.name,
          path: w.path,
          created: !w.before.exists,
          hunks,
          masked,
        });
      }
      if (r.validation) {
        this.o.emit({
          type: 'validation',
          host,
          task: task.name,
          path: w.path,
          result: r.validation,
        });
        if (r.validation.status === 'failed')
          refused ??= `${w.path}: the candidate failed \`${r.validation.command}\` (exit ${r.validation.exitCode}); nothing was changed:\n${r.validation.output}`;
      }
    });
    return refused;
  }
}

type WriteChange = Extract<Change, { kind: 'write' }>;

interface BatchEntry {
  t: HostTask;
  changes: Change[];
}

/** Task types whose changes are files only: they can share one remote command. */
const BATCHABLE = new Set(['template', 'copy', 'file']);

/**
 * Whether a change can alter what a fact request reads: the same path, or one
 * inside the other (creating a folder leaves what is under it as it was).
 */
function affects(change: Change, request: FactRequest): boolean {
  if (!('path' in change) || !('path' in request)) return false;
  const a = change.path;
  const b = request.path;
  if (a === b || a.startsWith(`${b}/`)) return true;
  return b.startsWith(`${a}/`) && change.kind !== 'mkdir';
}

function requestsOf(tasks: readonly HostTask[]): FactRequest[] {
  const seen = new Map<string, FactRequest>();
  for (const t of tasks) {
    if (t.skipped) continue;
    for (const r of t.module.facts(t.args as never, t.ctx)) seen.set(factKey(r), r);
  }
  return [...seen.values()];
}

function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    /not connected|connection lost|No response from server/i.test(String(error))
  );
}
