/** The transport interface: how the engine runs scripts on hosts. index.ts re-exports it. */

export interface ConnectTarget {
  /** Inventory name, used in messages. */
  host: string;
  /** What to connect to; also the name matched against ssh config `Host` patterns. */
  address: string;
  port: number;
  user: string;
  /** Private key path (`~` expands). */
  keyFile?: string;
  /** Default ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  /** Trust an unknown host key on first use (append it to known_hosts). */
  acceptNew: boolean;
  connectTimeoutMs: number;
  /** `[user@]host[:port]`, or several hops separated by commas. */
  proxyJump?: string;
  /** Run commands through sudo. */
  become: boolean;
  /** Secret: only ever written to sudo's stdin. */
  becomePassword?: string;
  /**
   * Fields whose value is the inventory's default rather than the operator's
   * (address defaults to the host name, port to 22, user to root): for these a
   * value from ssh config (HostName, Port, User) wins. Omitted: all explicit.
   */
  defaulted?: { address?: boolean; port?: boolean; user?: boolean };
}

export interface ExecOptions {
  /** Bytes for the script's stdin (without it, the script reads end of file). */
  stdin?: Buffer | string;
  /** Limit from the moment the channel opens; on expiry the command is killed and exec throws. */
  timeoutMs?: number;
  /** Default: target.become. */
  become?: boolean;
}

export interface ExecResult {
  /** Exit status; null when the command died of a signal. */
  code: number | null;
  signal?: string;
  stdout: Buffer;
  stderr: Buffer;
}

export interface TransportStats {
  /** SSH connections opened for this host: 1, plus each jump hop not already open. */
  connections: number;
  /** Commands started (channels opened). */
  commands: number;
  /** Channel payload received: stdout and stderr. */
  bytesIn: number;
  /** Channel payload sent: scripts, stdin payloads and sudo passwords. */
  bytesOut: number;
}

export interface Connection {
  readonly host: string;
  /** Runs a POSIX sh script on the host, optionally as root via sudo. Never throws for a non-zero exit. */
  exec(script: string, options?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
  readonly stats: TransportStats;
}

export interface ConnectOptions {
  /**
   * A new SSH connection of its own (never a pooled one), e.g. to prove that
   * a new firewall ruleset still lets new connections in. Jump hosts may be shared.
   */
  fresh?: boolean;
}

export interface Transport {
  connect(target: ConnectTarget, options?: ConnectOptions): Promise<Connection>;
}
