import { TransportError } from '../core/errors';
import { Redactor } from '../core/redact';
import { BecomeStderr } from './become-stderr';
import { oneLine } from './connect-errors';
import type { RemoteCommand } from './remote-command';
import type { Ssh2Channel, Ssh2Client } from './ssh2-types';
import type { ExecResult } from './types';

/**
 * Runs one remote command on its own channel: sends the framed script and the
 * payload with back-pressure, gathers stdout and stderr, and with become talks
 * to sudo (password after its prompt marker, input after the ready marker).
 */

export interface ChannelRun {
  client: Ssh2Client;
  host: string;
  command: RemoteCommand;
  /** The framed script (see frameScript), then the payload: written in this order. */
  input: Buffer[];
  /** With become and a password. */
  password?: string;
  timeoutMs?: number;
  /** Byte counters. */
  sent(bytes: number): void;
  received(bytes: number): void;
  /** Why the connection is gone, if it is. */
  lost(): string | undefined;
  /** With become: ends the root process group of the wrapped shell `pid` (after a timeout). */
  killAsRoot?(pid: number): void;
}

export interface Settle {
  resolve(result: ExecResult): void;
  reject(error: TransportError): void;
}

/** Pieces written at a time, so a large payload does not sit in memory twice. */
const WRITE_CHUNK = 64 * 1024;
/** After a timeout: TERM (sudo passes it on to the command), then KILL this much later. */
const KILL_AFTER_MS = 1000;
/** With become, the root cleanup (TERM, 1 s, KILL) has this long before the channel is closed. */
const ROOT_KILL_MS = 3000;
/** sudo asked again, or said so: the password is wrong (asking again could lock the account). */
const WRONG_PASSWORD = 'sudo refused become_password (incorrect password); not retried';
/** A channel the server does not close this long after an abort no longer holds its slot. */
const SLOT_GRACE_MS = 5000;

/**
 * Settles `settle` with the outcome, and resolves (never rejects) once the
 * channel is done: closed by the server, or given up on after an abort. The
 * caller holds its concurrency slot until then, so the number of sessions the
 * server counts stays within the limit.
 */
export function runOnChannel(run: ChannelRun, settle: Settle): Promise<void> {
  const outcome = new Outcome(run, settle);
  return new Promise<void>((done) => {
    const opened = (err: Error | undefined, channel: Ssh2Channel) => {
      if (err) {
        outcome.reject(
          outcome.fail('exec', `cannot open a channel: ${run.lost() ?? oneLine(err.message)}`),
        );
        done();
        return;
      }
      new ChannelDriver(run, outcome, channel, done).start();
    };
    try {
      run.client.exec(run.command.command, opened);
    } catch (err) {
      outcome.reject(
        outcome.fail(
          'exec',
          `cannot open a channel: ${run.lost() ?? oneLine((err as Error).message)}`,
        ),
      );
      done();
    }
  });
}

/** The exec's one outcome (the first wins), with the password kept out of every word. */
class Outcome {
  private settled = false;
  private readonly redactor = new Redactor();

  constructor(
    private readonly run: ChannelRun,
    private readonly settle: Settle,
  ) {
    if (run.password !== undefined) this.redactor.add(run.password);
  }

  fail(step: string, detail: string): TransportError {
    return new TransportError(this.run.host, step, this.redactor.redact(detail));
  }

  resolve(result: ExecResult): void {
    if (!this.settled) this.settle.resolve(result);
    this.settled = true;
  }

  reject(error: TransportError): void {
    if (!this.settled) this.settle.reject(error);
    this.settled = true;
  }

  /** The password only ever goes to sudo's stdin; it must never come back in output. */
  scrub(text: Buffer): Buffer {
    const password = this.run.password;
    if (password === undefined || password.length < 4) return text;
    if (!text.includes(password)) return text;
    return Buffer.from(this.redactor.redact(text.toString('utf8')));
  }
}

/** One open channel: the input sent, the output gathered, sudo spoken to, the end judged. */
class ChannelDriver {
  private readonly stdout: Buffer[] = [];
  private readonly stderr: Buffer[] = [];
  private code: number | null = null;
  private signal: string | undefined;
  private closed = false;
  private passwordSent = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly sudo: BecomeStderr | undefined;

  constructor(
    private readonly run: ChannelRun,
    private readonly outcome: Outcome,
    private readonly channel: Ssh2Channel,
    private readonly done: () => void,
  ) {
    this.sudo = run.command.readyMarker
      ? new BecomeStderr(run.command.readyMarker, run.command.promptMarker)
      : undefined;
  }

  start(): void {
    const { run, channel } = this;
    if (run.timeoutMs !== undefined) {
      const ms = run.timeoutMs;
      this.timers.push(
        setTimeout(
          () =>
            this.abort(
              this.outcome.fail('exec', `timed out after ${ms} ms; the command was killed`),
            ),
          ms,
        ),
      );
    }
    channel.on('error', (err: Error) =>
      this.abort(this.outcome.fail('exec', oneLine(err.message))),
    );
    channel.on('data', (chunk: Buffer) => {
      run.received(chunk.length);
      this.stdout.push(chunk);
    });
    channel.stderr.on('data', (chunk: Buffer) => this.onStderr(chunk));
    channel.on('exit', (exitCode: number | null, signalName?: string) => {
      if (typeof exitCode === 'number') this.code = exitCode;
      else this.signal = signalName ?? undefined;
    });
    channel.on('close', () => this.onClose());
    if (!this.sudo) this.startInput();
  }

  /** Fails the exec now, kills the command and closes the channel. */
  private abort(error: TransportError): void {
    this.outcome.reject(error);
    if (this.closed) return;
    const close = () => {
      if (!this.closed) sendSignal(this.channel, 'KILL');
      if (!this.closed) this.channel.close();
    };
    if (this.sudo?.pid !== undefined && this.run.killAsRoot) {
      // sshd signals as the login user, which cannot touch root's processes
      // (and would kill the wrapped shell first, losing track of its group).
      this.run.killAsRoot(this.sudo.pid);
      this.timers.push(setTimeout(close, ROOT_KILL_MS));
    } else {
      sendSignal(this.channel, 'TERM');
      this.timers.push(setTimeout(close, KILL_AFTER_MS));
    }
    this.timers.push(setTimeout(this.done, ROOT_KILL_MS + SLOT_GRACE_MS));
  }

  private write(data: Buffer | string): boolean {
    this.run.sent(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
    return this.channel.write(data);
  }

  private async sendInput(): Promise<void> {
    for (const part of this.run.input) {
      for (let at = 0; at < part.length && !this.closed; at += WRITE_CHUNK) {
        if (!this.write(part.subarray(at, at + WRITE_CHUNK))) await drained(this.channel);
      }
    }
    if (!this.closed) this.channel.end();
  }

  private startInput(): void {
    this.sendInput().catch((err: Error) =>
      this.abort(this.outcome.fail('exec', `sending input: ${oneLine(err.message)}`)),
    );
  }

  /** With become, stderr first carries sudo: its prompt gets the password, its ready marker the input. */
  private onStderr(chunk: Buffer): void {
    this.run.received(chunk.length);
    const sudo = this.sudo;
    if (!sudo) {
      this.stderr.push(chunk);
      return;
    }
    const events = sudo.push(chunk);
    if (events.prompts > 0) {
      if (this.run.password !== undefined && !this.passwordSent && events.prompts === 1) {
        this.passwordSent = true;
        this.write(`${this.run.password}\n`);
      } else {
        // A second prompt: the password was wrong. Asking again could lock the account.
        this.abort(this.outcome.fail('become', WRONG_PASSWORD));
      }
    }
    if (events.ready) this.startInput();
    if (events.output.length > 0) this.stderr.push(events.output);
  }

  private onClose(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.done();
    const { outcome, sudo } = this;
    const lost = this.run.lost();
    if (lost)
      return outcome.reject(outcome.fail('exec', `connection lost while the command ran: ${lost}`));
    if (sudo && !sudo.ready) return outcome.reject(this.becomeFailure(sudo.sudoText()));
    const prefix = sudo?.sudoText() ?? '';
    outcome.resolve({
      code: this.code,
      ...(this.signal ? { signal: this.signal } : {}),
      stdout: Buffer.concat(this.stdout),
      stderr: outcome.scrub(
        Buffer.concat(prefix ? [Buffer.from(prefix), ...this.stderr] : this.stderr),
      ),
    });
  }

  private becomeFailure(sudoText: string): TransportError {
    const fail = (detail: string) => this.outcome.fail('become', detail);
    const said = oneLine(sudoText);
    if (/password is required/i.test(said))
      return fail('sudo needs a password: set become_password');
    if (/incorrect password|try again/i.test(said)) return fail(WRONG_PASSWORD);
    return fail(`sudo did not run the command: ${said || `exit ${this.code ?? 'by signal'}`}`);
  }
}

function drained(channel: Ssh2Channel): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      channel.off('drain', finish);
      channel.off('close', finish);
      resolve();
    };
    channel.on('drain', finish);
    channel.on('close', finish);
  });
}

/**
 * ssh2's `signal()` is silent once stdin is closed (EOF sent), which is when a
 * command usually runs; the SSH protocol allows the request until the channel
 * closes (OpenSSH then signals the session's process group), so it is sent
 * directly in that state.
 */
function sendSignal(channel: Ssh2Channel, name: string): void {
  const internal = channel as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal(id: number, name: string): void } };
  };
  const outgoing = internal.outgoing;
  const protocol = internal._client?._protocol;
  try {
    if (outgoing && protocol && (outgoing.state === 'open' || outgoing.state === 'eof')) {
      protocol.signal(outgoing.id, name);
    } else {
      channel.signal(name);
    }
  } catch {
    // A server that does not take signals still ends the session when the channel closes.
  }
}
