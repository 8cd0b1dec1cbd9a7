import type { EventEmitter } from 'node:events';
import type { Duplex, Readable } from 'node:stream';

/**
 * The few parts of ssh2's client objects this transport uses. node-ssh
 * creates them; ssh2 ships no type declarations of its own, so these are
 * written from its documented API.
 */

/** An exec or forwarding channel: stdout is the readable side, stdin the writable side. */
export interface Ssh2Channel extends Duplex {
  readonly stderr: Readable;
  /** Sends an SSH `signal` request (name without SIG, e.g. `KILL`). */
  signal(name: string): void;
  close(): void;
}

export interface Ssh2Client extends EventEmitter {
  exec(command: string, callback: (err: Error | undefined, channel: Ssh2Channel) => void): boolean;
  forwardOut(
    srcIP: string,
    srcPort: number,
    dstIP: string,
    dstPort: number,
    callback: (err: Error | undefined, channel: Ssh2Channel) => void,
  ): boolean;
  end(): void;
  /** Turns Nagle's algorithm off on the TCP socket (no effect over a jump channel). */
  setNoDelay(noDelay: boolean): void;
}

/** An error as ssh2 reports it: `level` says which stage failed. */
export interface Ssh2Error extends Error {
  level?: string;
  code?: string;
}

/** One step of ssh2's `authHandler`. */
export type Ssh2AuthMethod =
  | { type: 'publickey'; username: string; key: Buffer }
  | { type: 'agent'; username: string; agent: string };
