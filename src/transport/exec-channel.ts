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
/** A channel the server does not close this long after an abort no longer holds its slot. */
const SLOT_GRACE_MS = 5000;

/**
 * Settles `settle` with the outcome, and resolves (never rejects) once the
 * channel is done: closed by the server, or given up on after an abort. The
 * caller holds its concurrency slot until then, so the number of sessions the
 * server counts stays within the limit.
 */
export function runOnChannel(run: ChannelRun, settle: Settle): Promise<void> {
  const redactor = new Redactor();
  if (run.password !== undefined) redactor.add(run.password);
  const fail = (step: string, detail: string) =>
    new TransportError(run.host, step, redactor.redact(detail));
  let settled = false;
  const resolve = (result: ExecResult) => {
    if (!settled) settle.resolve(result);
    settled = true;
  };
  const reject = (error: TransportError) => {
    if (!settled) settle.reject(error);
    settled = true;
  };

  return new Promise<void>((done) => {
    const opened = (err: Error | undefined, channel: Ssh2Channel) => {
      if (err) {
        reject(fail('exec', `cannot open a channel: ${run.lost() ?? oneLine(err.message)}`));
        done();
        return;
      }
      drive(channel, done);
    };
    try {
      run.client.exec(run.command.command, opened);
    } catch (err) {
      reject(
        fail('exec', `cannot open a channel: ${run.lost() ?? oneLine((err as Error).message)}`),
      );
      done();
    }
  });

  function drive(channel: Ssh2Channel, done: () => void): void {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let code: number | null = null;
    let signal: string | undefined;
    let closed = false;
    let passwordSent = false;
    const timers: NodeJS.Timeout[] = [];
    const sudo = run.command.readyMarker
      ? new BecomeStderr(run.command.readyMarker, run.command.promptMarker)
      : undefined;

    /** Fails the exec now, kills the command and closes the channel. */
    const abort = (error: TransportError) => {
      reject(error);
      if (closed) return;
      const close = () => {
        if (!closed) sendSignal(channel, 'KILL');
        if (!closed) channel.close();
      };
      if (sudo?.pid !== undefined && run.killAsRoot) {
        // sshd signals as the login user, which cannot touch root's processes
        // (and would kill the wrapped shell first, losing track of its group).
        run.killAsRoot(sudo.pid);
        timers.push(setTimeout(close, ROOT_KILL_MS));
      } else {
        sendSignal(channel, 'TERM');
        timers.push(setTimeout(close, KILL_AFTER_MS));
      }
      timers.push(setTimeout(done, ROOT_KILL_MS + SLOT_GRACE_MS));
    };

    if (run.timeoutMs !== undefined) {
      const ms = run.timeoutMs;
      timers.push(
        setTimeout(
          () => abort(fail('exec', `timed out after ${ms} ms; the command was killed`)),
          ms,
        ),
      );
    }

    const write = (data: Buffer | string): boolean => {
      run.sent(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
      return channel.write(data);
    };
    const sendInput = async () => {
      for (const part of run.input) {
        for (let at = 0; at < part.length && !closed; at += WRITE_CHUNK) {
          if (!write(part.subarray(at, at + WRITE_CHUNK))) await drained(channel);
        }
      }
      if (!closed) channel.end();
    };
    const startInput = () => {
      sendInput().catch((err: Error) =>
        abort(fail('exec', `sending input: ${oneLine(err.message)}`)),
      );
    };

    channel.on('error', (err: Error) => abort(fail('exec', oneLine(err.message))));
    channel.on('data', (chunk: Buffer) => {
      run.received(chunk.length);
      stdout.push(chunk);
    });
    channel.stderr.on('data', (chunk: Buffer) => {
      run.received(chunk.length);
      if (!sudo) {
        stderr.push(chunk);
        return;
      }
      const events = sudo.push(chunk);
      if (events.prompts > 0) {
        if (run.password !== undefined && !passwordSent && events.prompts === 1) {
          passwordSent = true;
          write(`${run.password}\n`);
        } else {
          // A second prompt: the password was wrong. Asking again could lock the account.
          abort(fail('become', 'sudo refused become_password (incorrect password); not retried'));
        }
      }
      if (events.ready) startInput();
      if (events.output.length > 0) stderr.push(events.output);
    });
    channel.on('exit', (exitCode: number | null, signalName?: string) => {
      if (typeof exitCode === 'number') code = exitCode;
      else signal = signalName ?? undefined;
    });
    channel.on('close', () => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      done();
      const lost = run.lost();
      if (lost) return reject(fail('exec', `connection lost while the command ran: ${lost}`));
      if (sudo && !sudo.ready) return reject(becomeFailure(sudo.sudoText(), code));
      const prefix = sudo?.sudoText() ?? '';
      resolve({
        code,
        ...(signal ? { signal } : {}),
        stdout: Buffer.concat(stdout),
        stderr: scrub(Buffer.concat(prefix ? [Buffer.from(prefix), ...stderr] : stderr)),
      });
    });

    if (!sudo) startInput();
  }

  function becomeFailure(sudoText: string, code: number | null): TransportError {
    const said = oneLine(sudoText);
    if (/password is required/i.test(said)) {
      return fail('become', 'sudo needs a password: set become_password');
    }
    if (/incorrect password|try again/i.test(said)) {
      return fail('become', 'sudo refused become_password (incorrect password); not retried');
    }
    return fail('become', `sudo did not run the command: ${said || `exit ${code ?? 'by signal'}`}`);
  }

  /** The password only ever goes to sudo's stdin; it must never come back in output. */
  function scrub(text: Buffer): Buffer {
    if (run.password === undefined || run.password.length < 4) return text;
    if (!text.includes(run.password)) return text;
    return Buffer.from(redactor.redact(text.toString('utf8')));
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
