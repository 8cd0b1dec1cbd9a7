import { TransportError } from '../core/errors';
import { oneLine } from './connect-errors';
import { Limiter } from './limiter';
import type { OpenedSsh } from './open-ssh';
import type { Endpoint } from './route';
import type { Ssh2Channel, Ssh2Client } from './ssh2-types';
import type { TransportStats } from './types';

/**
 * One open SSH connection: its channel limit, counters, and whether it is
 * still alive. Shared by every Connection to the same login, and by the
 * targets behind it when it is a jump host.
 */
export class Session {
  readonly stats: TransportStats;
  readonly limiter: Limiter;
  private lostReason: string | undefined;
  private readonly closed: Promise<void>;

  constructor(
    private readonly opened: OpenedSsh,
    maxChannels: number,
    connections: number,
    /** Called once when the connection is gone, whoever ended it. */
    onGone: () => void,
  ) {
    this.stats = { connections, commands: 0, bytesIn: 0, bytesOut: 0 };
    this.limiter = new Limiter(maxChannels);
    const client = opened.client;
    client.on('error', (err: Error) => {
      this.lostReason ??= oneLine(err.message);
    });
    this.closed = new Promise((resolve) => {
      client.once('close', () => {
        this.lostReason ??= 'the server closed the connection';
        onGone();
        resolve();
      });
    });
  }

  get client(): Ssh2Client {
    return this.opened.client;
  }

  /** Why the connection is gone, or undefined while it is open. */
  lost(): string | undefined {
    return this.lostReason;
  }

  /** Opens a TCP stream from this host to `endpoint` (ProxyJump), within `timeoutMs`. */
  forward(host: string, via: string, endpoint: Endpoint, timeoutMs: number): Promise<Ssh2Channel> {
    const where = `${endpoint.address}:${endpoint.port}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new TransportError(
              host,
              'connect',
              `jump host ${via} did not reach ${where} within ${timeoutMs / 1000} s`,
            ),
          ),
        timeoutMs,
      );
      const done = (err: Error | undefined, channel: Ssh2Channel) => {
        clearTimeout(timer);
        if (err) {
          const reason = this.lostReason ?? oneLine(err.message);
          reject(
            new TransportError(
              host,
              'connect',
              `jump host ${via} cannot reach ${where}: ${reason}`,
            ),
          );
        } else {
          resolve(channel);
        }
      };
      try {
        this.client.forwardOut('127.0.0.1', 0, endpoint.address, endpoint.port, done);
      } catch (err) {
        done(err as Error, undefined as unknown as Ssh2Channel);
      }
    });
  }

  /** Ends the connection and waits (briefly) until it is closed. */
  async end(): Promise<void> {
    this.lostReason ??= 'the connection was closed';
    this.opened.client.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
  }
}
