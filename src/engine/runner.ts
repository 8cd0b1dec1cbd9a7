import type { Play, Task } from '../playbook/model';
import { PlayExpander, playHosts, type HostTask } from './expand';
import { batches, runPool } from './pool';
import { HostConnections } from './run/connections';
import { LookAheadFacts } from './run/fact-cache';
import { playOnHost, selected } from './run/host-play';
import type { RunContext, RunOptions, RunResult } from './run/options';
import { RunRecord } from './run/record';

export type { RunOptions, RunResult } from './run/options';

/**
 * Runs a playbook: plays in order, hosts in parallel (bounded by forks, in
 * `serial` batches), tasks in order per host. The parts: run/record.ts (the
 * recap, timings and events), run/connections.ts (one connection per host),
 * run/fact-cache.ts (facts gathered ahead), run/host-play.ts (one play on one
 * host), run/batching.ts (file tasks in one command), run/handlers.ts.
 */
export async function runPlaybook(options: RunOptions): Promise<RunResult> {
  const run = new PlaybookRun(options);
  try {
    await run.all();
  } finally {
    await run.connections.closeAll();
  }
  run.connections.countTimings();
  options.emit({ type: 'recap', hosts: run.record.counters, outcomes: run.record.outcomes });
  options.emit({ type: 'timings', hosts: run.record.timings });
  return run.result();
}

/** The play loop, and what its parts share (RunContext). */
class PlaybookRun implements RunContext {
  readonly record: RunRecord;
  readonly connections: HostConnections;
  readonly facts: LookAheadFacts;
  private abortedByFailure = false;
  private readonly expanders = new Map<Play, PlayExpander>();

  constructor(readonly options: RunOptions) {
    this.record = new RunRecord(options.emit);
    this.connections = new HostConnections(options.connect, this.record);
    this.facts = new LookAheadFacts(
      options.project,
      options.limit,
      (play) => this.expander(play),
      (task: Task) => selected(this, task),
    );
  }

  private get interrupted(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  aborted(): boolean {
    return this.abortedByFailure || this.interrupted;
  }

  started(host: string, t: HostTask, handler: boolean): void {
    this.options.emit({
      type: 'task-start',
      host,
      play: this.record.play,
      task: t.task.name,
      handler,
      long: t.module.long ?? false,
    });
  }

  result(): RunResult {
    const r = this.record;
    return {
      hosts: r.counters,
      failed: [...r.failed],
      unreachable: [...r.unreachable],
      changed: Object.values(r.counters).some((c) => c.changed > 0),
      interrupted: this.interrupted,
      locked: [...r.locked],
      outcomes: { ...r.outcomes },
      drivers: this.connections.drivers,
    };
  }

  async all(): Promise<void> {
    for (const play of this.options.project.playbook.plays) {
      if (this.aborted()) break;
      await this.runPlay(play);
    }
    if (this.interrupted)
      this.options.emit({
        type: 'note',
        message:
          'interrupted: no task started after the signal; the changes in flight finished. Handlers not run yet stay recorded on their hosts and run on the next apply.',
      });
  }

  private async runPlay(play: Play): Promise<void> {
    const { project, limit, forks, check, emit } = this.options;
    const hosts = playHosts(project, play, limit);
    for (const h of hosts) this.record.enter(h);
    const live = hosts.filter((h) => !this.record.down.has(h));
    this.record.play = play.name;
    emit({ type: 'play', play: play.name, hosts: live, check });
    const expander = this.expander(play);
    for (const batch of batches(live, play.serial)) {
      if (this.aborted()) break;
      const before = this.record.failed.size + this.record.unreachable.size;
      await runPool(batch, forks, (host) => this.hostInPlay(play, expander, host));
      const newlyFailed = this.record.failed.size + this.record.unreachable.size - before;
      if (this.interrupted) break;
      this.stopAfterFailures(play, newlyFailed, batch.length);
    }
  }

  /**
   * any_errors_fatal, max_fail_percentage, and a rollout's failed host: no
   * later batch or play starts.
   */
  private stopAfterFailures(play: Play, newlyFailed: number, batchSize: number): void {
    if (newlyFailed === 0) return;
    const why =
      play.rollout && !this.options.check
        ? 'the rollout stopped at a failed host: later batches and plays are not run'
        : play.anyErrorsFatal
          ? 'any_errors_fatal after a failure'
          : play.maxFailPercentage !== undefined &&
              (newlyFailed * 100) / batchSize > play.maxFailPercentage
            ? 'max_fail_percentage after a failure'
            : undefined;
    if (!why) return;
    this.abortedByFailure = true;
    this.options.emit({ type: 'note', message: `stopping: ${why}` });
  }

  /** playOnHost between the host's host-start and host-done events. */
  private async hostInPlay(play: Play, expander: PlayExpander, host: string): Promise<void> {
    if (this.aborted()) return;
    this.options.emit({ type: 'host-start', host, play: play.name });
    try {
      await playOnHost(this, play, expander, host);
    } finally {
      this.options.emit({ type: 'host-done', host, play: play.name });
    }
  }

  /** The play's expander, made once per run (later plays' facts are prepared ahead). */
  private expander(play: Play): PlayExpander {
    let e = this.expanders.get(play);
    if (!e) {
      const { project, secret, redact } = this.options;
      e = new PlayExpander(project, play, secret, undefined, (text) => redact(text) !== text);
      this.expanders.set(play, e);
    }
    return e;
  }
}
