import { changeKind } from '../../src/changes/kinds';
import type { Change } from '../../src/changes/model';
import { factKind } from '../../src/facts/kinds';
import { SimulatedFailure, type MemoryHost } from '../../src/facts/memory-host';
import type { Fact, FactRequest } from '../../src/facts/types';
import { factKey } from '../../src/facts/types';
import type { PendingHandler } from '../../src/engine/handler-state';
import type { TaskGroup } from '../../src/engine/change-script';
import { ChangeFailed, type Gathered, type HostDriver } from '../../src/engine/host-driver';
import { validatorProgram, type Candidate, type Inspection } from '../../src/engine/inspect-script';

/** A HostDriver over a MemoryHost. Counts one command per operation, as the SSH driver does. */
export class MemoryDriver implements HostDriver {
  commands = 0;
  readonly connections = 1;
  /** Simulates the tool dying: every operation after this many executes throws. */
  dieAfterExecutes?: number;
  private executes = 0;

  constructor(readonly state: MemoryHost) {}

  get host(): string {
    return this.state.name;
  }

  private tick(): void {
    if (this.dieAfterExecutes !== undefined && this.executes >= this.dieAfterExecutes) {
      throw new Error(`simulated crash on ${this.host}`);
    }
    this.commands++;
  }

  async gather(requests: readonly FactRequest[]): Promise<Gathered> {
    this.tick();
    const facts = new Map<string, Fact>();
    for (const r of requests) facts.set(factKey(r), this.fact(r));
    return { facts, pending: [...this.state.pending] };
  }

  private fact(r: FactRequest): Fact {
    return factKind(r).simulate(r, this.state);
  }

  async confirm(change: Extract<Change, { kind: 'write' }>): Promise<void> {
    const s = this.state;
    if (!s.newConnectionsPass || !s.armed || s.armed.path !== change.path) {
      s.armed = undefined;
      s.log.push(`revert ${change.path}`);
      throw new ChangeFailed(
        `${change.path} was loaded, but a new SSH connection to confirm it failed: the host restores the previous ruleset by itself`,
        null,
        false,
      );
    }
    s.files.set(change.path, s.armed.file);
    s.armed = undefined;
    s.log.push(`confirm ${change.path}`);
  }

  async execute(
    changes: readonly Change[],
    options: { clear?: PendingHandler[]; groups?: TaskGroup[] },
  ): Promise<void> {
    this.tick();
    this.executes++;
    const s = this.state;
    const groups = options.groups ?? [{ start: 0, record: [] }];
    for (const [g, group] of groups.entries()) {
      const end = groups[g + 1]?.start ?? changes.length;
      const mark = s.pending.length;
      s.pending.push(...group.record);
      try {
        for (const c of changes.slice(group.start, end)) this.apply(c);
      } catch (error) {
        // As on a host: a refused first change leaves its task's handlers unrecorded.
        if (error instanceof ChangeFailed && error.validation) s.pending.splice(mark);
        if (error instanceof ChangeFailed)
          throw new ChangeFailed(error.detail, error.exitCode, error.validation, g);
        throw error;
      }
    }
    if (options.clear) {
      const drop = new Set(options.clear.map((p) => `${p.play}\t${p.handler}`));
      s.pending = s.pending.filter((p) => !drop.has(`${p.play}\t${p.handler}`));
    }
  }

  private apply(c: Change): void {
    try {
      changeKind(c).simulate(c, this.state);
    } catch (error) {
      if (!(error instanceof SimulatedFailure)) throw error;
      throw new ChangeFailed(error.detail, error.exitCode, error.validation);
    }
  }

  async capture(script: string): Promise<Buffer> {
    this.tick();
    return Buffer.from(this.state.exports(script));
  }

  async inspect(
    candidates: readonly Candidate[],
    options: { before: boolean; validate: boolean },
  ): Promise<Inspection[]> {
    this.tick();
    return candidates.map((c) => {
      const r: Inspection = {};
      if (options.before) r.before = this.state.files.get(c.path)?.content;
      if (options.validate && c.validate) {
        const program = validatorProgram(c.validate) ?? c.validate;
        if (this.state.missingPrograms.has(program)) {
          r.validation = { status: 'unavailable', command: c.validate, program };
        } else {
          const error = this.state.validators.get(program)?.(c.content.toString('utf8'));
          r.validation = error
            ? { status: 'failed', command: c.validate, exitCode: 1, output: error }
            : { status: 'passed', command: c.validate };
        }
      }
      return r;
    });
  }

  async close(): Promise<void> {}
}
