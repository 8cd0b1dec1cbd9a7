import { randomBytes } from 'node:crypto';
import { CommandFailed, LockError } from '../core/errors';
import { maskUnknownSecrets } from '../core/live-secrets';
import { quote } from '../core/shell';
import { parseFacts } from '../facts/parse';
import { gatherScript } from '../facts/script';
import { gatherForTrace } from '../facts/trace';
import type { FactRequest } from '../facts/types';
import type { Change } from '../changes/model';
import type { Connection, ExecResult } from '../transport/types';
import { CONFIRMED, confirmScript } from './activation-script';
import { changeScript, completedGroups, VALIDATION_FAILED, type TaskGroup } from './change-script';
import { PENDING_FILE, parsePending, type PendingHandler } from './handler-state';
import {
  inspectionForTrace,
  inspectScript,
  parseInspection,
  type Candidate,
  type Inspection,
} from './inspect-script';
import { lockScript, parseLock, type LockRequest } from './lock-script';
import { ChangeFailed, type Gathered, type HostDriver } from './host-driver';

const PENDING_MARK = '@@foobar-pending@@';

/** One remote command as -v shows it. */
export interface CommandTrace {
  what: string;
  script: string;
  exitCode: number | null;
  ms: number;
  /** What -vvv shows of its output (file contents come back base64: decoded here, so redaction sees them). */
  stdout: string;
  stderr: string;
}

/** A HostDriver over one SSH connection: every operation is one remote command. */
export class RemoteDriver implements HostDriver {
  constructor(
    private readonly connection: Connection,
    private readonly commandTimeoutMs: number,
    /** Told of every remote command (for -v): what it was for, its script and outcome. */
    private readonly trace?: (command: CommandTrace) => void,
    /** The run lock, taken (or confirmed) by every gather. */
    private readonly lock?: LockRequest,
    /** True for a holder (its owner text) known to be dead, e.g. a run of this machine that is gone. */
    private readonly isDeadHolder: (owner: string) => boolean = () => false,
    /** Opens a new connection of its own to the same host (for confirmations). */
    private readonly reconnect?: () => Promise<Connection>,
  ) {}

  private extraConnections = 0;
  private extraCommands = 0;

  /**
   * Runs one remote command, traced; `shown` is what a trace shows of its
   * stdout (default: the text as it is).
   */
  private async run(
    what: string,
    script: string,
    stdin?: Buffer,
    shown: (stdout: Buffer) => string = (b) => maskUnknownSecrets(b.toString('utf8')),
  ): Promise<ExecResult> {
    const start = performance.now();
    const r = await this.connection.exec(script, { stdin, timeoutMs: this.commandTimeoutMs });
    if (this.trace)
      this.trace({
        what,
        script,
        exitCode: r.code,
        ms: performance.now() - start,
        stdout: shown(r.stdout),
        stderr: maskUnknownSecrets(r.stderr.toString('utf8')),
      });
    return r;
  }

  get host(): string {
    return this.connection.host;
  }
  get commands(): number {
    return this.connection.stats.commands + this.extraCommands;
  }
  get connections(): number {
    return this.connection.stats.connections + this.extraConnections;
  }

  async gather(
    requests: readonly FactRequest[],
    options: { unlocked?: boolean } = {},
  ): Promise<Gathered> {
    return this.gatherOnce(requests, [], options.unlocked === true);
  }

  private async gatherOnce(
    requests: readonly FactRequest[],
    breakIds: string[],
    unlocked: boolean,
  ): Promise<Gathered> {
    const lock = this.lock && !unlocked ? lockScript({ ...this.lock, breakIds }) : '';
    // Fresh section markers: output that imitates them cannot forge a fact.
    const nonce = randomBytes(8).toString('hex');
    const script = `${lock}${gatherScript(requests, nonce)}printf '%s\\n' ${PENDING_MARK}\ncat ${quote(PENDING_FILE)} 2>/dev/null\ntrue\n`;
    const r = await this.run(
      `gather ${requests.length} facts`,
      script,
      undefined,
      gatherForTrace(requests, nonce),
    );
    let out = r.stdout.toString('utf8');
    if (r.code !== 0)
      throw new CommandFailed(this.host, 'gather facts', r.code, r.stderr.toString('utf8').trim());
    if (lock) {
      const { outcome, rest } = parseLock(out);
      if (!outcome.held) {
        const dead = outcome.holders.filter((h) => this.isDeadHolder(h.text)).map((h) => h.id);
        // Once: break the dead holders' claims, then try again.
        if (dead.length > 0 && breakIds.length === 0) return this.gatherOnce(requests, dead, false);
        throw new LockError(
          this.host,
          outcome.holders.map((h) => h.text),
        );
      }
      out = rest;
    }
    const at = out.lastIndexOf(`${PENDING_MARK}\n`);
    if (at < 0)
      throw new CommandFailed(this.host, 'gather facts', r.code, 'the fact script was cut short');
    return {
      facts: parseFacts(requests, out.slice(0, at), nonce),
      pending: parsePending(out.slice(at + PENDING_MARK.length + 1)),
    };
  }

  async execute(
    changes: readonly Change[],
    options: { clear?: PendingHandler[]; groups?: TaskGroup[] },
  ): Promise<void> {
    const { script, stdin } = changeScript(changes, options);
    const r = await this.run(
      `change (${changes.length} step${changes.length === 1 ? '' : 's'})`,
      script,
      stdin,
    );
    if (r.code === 0) return;
    const stderr = r.stderr.toString('utf8').trim();
    throw new ChangeFailed(
      stderr || `exit ${r.code ?? r.signal}`,
      r.code,
      r.code === VALIDATION_FAILED,
      completedGroups(r.stdout.toString('utf8')),
    );
  }

  async confirm(change: Extract<Change, { kind: 'write' }>): Promise<void> {
    const after = change.activate?.revertAfterSeconds ?? 0;
    const reverts = `the host restores the previous ruleset by itself within ${after} s of loading it`;
    if (!this.reconnect)
      throw new ChangeFailed(`cannot open a new connection: ${reverts}`, null, false);
    const start = performance.now();
    let fresh: Connection | undefined;
    try {
      fresh = await this.reconnect();
      this.extraConnections++;
      this.extraCommands++;
      const script = confirmScript(change);
      const r = await fresh.exec(script, { timeoutMs: Math.max(5000, after * 1000) });
      this.trace?.({
        what: `confirm ${change.path} over a new connection`,
        script,
        exitCode: r.code,
        ms: performance.now() - start,
        stdout: maskUnknownSecrets(r.stdout.toString('utf8')),
        stderr: maskUnknownSecrets(r.stderr.toString('utf8')),
      });
      if (r.code === 0 && r.stdout.toString('utf8').includes(CONFIRMED)) return;
      throw new ChangeFailed(
        `${change.path} was loaded but could not be confirmed: ${r.stderr.toString('utf8').trim() || `exit ${r.code}`}`,
        r.code,
        false,
      );
    } catch (error) {
      if (error instanceof ChangeFailed) throw error;
      throw new ChangeFailed(
        `${change.path} was loaded, but a new SSH connection to confirm it failed (${(error as Error).message}): ${reverts}`,
        null,
        false,
      );
    } finally {
      await fresh?.close().catch(() => undefined);
    }
  }

  async capture(script: string): Promise<Buffer> {
    // A database export: user data, possibly large; a trace shows its size only.
    const r = await this.run('export', script, undefined, (b) => `(${b.length} bytes exported)`);
    if (r.code !== 0)
      throw new CommandFailed(
        this.host,
        'export',
        r.code,
        r.stderr.toString('utf8').trim().slice(-2000),
      );
    return r.stdout;
  }

  async inspect(
    candidates: readonly Candidate[],
    options: { before: boolean; validate: boolean },
  ): Promise<Inspection[]> {
    const { script, stdin } = inspectScript(candidates, options);
    const r = await this.run(
      options.validate ? 'validate candidates' : 'read files to diff',
      script,
      stdin,
      inspectionForTrace,
    );
    if (r.code !== 0)
      throw new CommandFailed(
        this.host,
        options.validate ? 'validate the candidate files' : 'read the files to diff',
        r.code,
        r.stderr.toString('utf8').trim(),
      );
    try {
      return parseInspection(candidates, r.stdout);
    } catch (error) {
      throw new CommandFailed(this.host, 'inspect files', r.code, (error as Error).message);
    }
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
