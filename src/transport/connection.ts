import { randomBytes } from 'node:crypto';
import { TransportError } from '../core/errors';
import { runOnChannel } from './exec-channel';
import { buildRemoteCommand, frameScript, killGroupScript } from './remote-command';
import type { Session } from './session';
import type { ConnectTarget, Connection, ExecOptions, ExecResult, TransportStats } from './types';

/** A token for markers: 128 random bits, letters and digits only. */
export function randomToken(): string {
  return randomBytes(16).toString('hex');
}

/** What `Transport.connect` hands out: a target's become settings over a shared session. */
export class SshConnection implements Connection {
  private closed = false;

  constructor(
    private readonly target: ConnectTarget,
    private readonly session: Session,
    private readonly release: () => Promise<void>,
  ) {}

  get host(): string {
    return this.target.host;
  }

  get stats(): TransportStats {
    return this.session.stats;
  }

  exec(script: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.run(script, options, true);
  }

  /** `limited`: wait for a channel slot (a cleanup after a timeout does not). */
  private async run(script: string, options: ExecOptions, limited: boolean): Promise<ExecResult> {
    const host = this.target.host;
    if (this.closed) throw new TransportError(host, 'exec', 'the connection is closed');
    const lost = this.session.lost();
    if (lost) throw new TransportError(host, 'exec', `the connection is gone: ${lost}`);
    const become = options.become ?? this.target.become;
    const password = become ? this.target.becomePassword : undefined;
    const command = buildRemoteCommand({
      become,
      password: password !== undefined,
      token: randomToken,
    });
    const input = [frameScript(script, command.sentinel)];
    if (options.stdin !== undefined) {
      input.push(Buffer.isBuffer(options.stdin) ? options.stdin : Buffer.from(options.stdin));
    }
    const stats = this.session.stats;
    const session = this.session;
    const killAsRoot = (pid: number) => {
      const cleanup = { become: true, timeoutMs: 15_000 };
      this.run(killGroupScript(pid), cleanup, false).catch(() => undefined);
    };
    return new Promise<ExecResult>((resolve, reject) => {
      const slot = limited ? session.limiter : { run: <T>(task: () => Promise<T>) => task() };
      slot
        .run(() => {
          stats.commands++;
          const run = {
            client: session.client,
            host,
            command,
            input,
            password,
            timeoutMs: options.timeoutMs,
            sent: (n: number) => (stats.bytesOut += n),
            received: (n: number) => (stats.bytesIn += n),
            lost: () => session.lost(),
            killAsRoot: become ? killAsRoot : undefined,
          };
          return runOnChannel(run, { resolve, reject });
        })
        .catch(reject);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }
}
