import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TransportError } from '../core/errors';
import { planAuth } from './auth';
import { SshConnection } from './connection';
import { matchWildcard } from './host-pattern';
import { Limiter } from './limiter';
import { openSsh } from './open-ssh';
import { resolveRoute, routeKey, type Endpoint } from './route';
import { Session } from './session';
import { expandPath, parseSshConfig, type IncludeReader, type SshConfig } from './ssh-config';
import type { Ssh2Channel } from './ssh2-types';
import type { ConnectOptions, ConnectTarget, Connection, Transport } from './types';

export interface SshTransportOptions {
  /** Default ~/.ssh/config; a missing default file is an empty config. */
  sshConfigFile?: string;
  /** Concurrent channels per connection (default 4; OpenSSH's MaxSessions is 10). */
  maxChannels?: number;
  /** For `~`, the default keys and known_hosts (default: the user's home). */
  home?: string;
  /** The ssh-agent socket (default: SSH_AUTH_SOCK); false: no agent. */
  agentSocket?: string | false;
  /** The user a jump host without one is logged in as (default: the local user). */
  localUser?: string;
  /**
   * Handshakes (key exchange and login) in flight at once (default 32): two
   * hundred at once starve a small machine's CPU until every one times out.
   * The connect timeout of each counts from its own start, not from its wait.
   */
  maxHandshakes?: number;
}

/**
 * The SSH transport. One SSH connection per login (user@address:port, through
 * the same jumps) for the whole run: connecting twice to the same target, or
 * to several targets behind one jump host, shares the connection, which
 * closes when the last Connection using it is closed.
 */
export function sshTransport(options: SshTransportOptions = {}): Transport {
  return new SshTransport(options);
}

interface PoolEntry {
  refs: number;
  session: Promise<Session>;
}

class SshTransport implements Transport {
  private config: SshConfig | undefined;
  private readonly pool = new Map<string, PoolEntry>();
  private readonly home: string;
  private readonly maxChannels: number;
  private readonly handshakes: Limiter;

  constructor(private readonly options: SshTransportOptions) {
    this.home = options.home ?? os.homedir();
    this.handshakes = new Limiter(options.maxHandshakes ?? 32);
    this.maxChannels = options.maxChannels ?? 4;
    if (!Number.isInteger(this.maxChannels) || this.maxChannels < 1) {
      throw new RangeError('maxChannels must be a positive integer');
    }
  }

  async connect(target: ConnectTarget, options: ConnectOptions = {}): Promise<Connection> {
    const route = resolveRoute(target, this.sshConfig(target.host), {
      home: this.home,
      localUser: this.options.localUser ?? os.userInfo().username,
    });
    if ('error' in route) throw new TransportError(target.host, 'connect', route.error);
    const chain = [...route.hops, route.target];
    if (options.fresh) {
      const session = await this.open(chain, target, false, () => undefined);
      return new SshConnection(target, session, () => session.end());
    }
    const { key, entry } = this.acquire(chain, target, false);
    const session = await entry.session;
    return new SshConnection(target, session, () => this.release(key, entry));
  }

  private sshConfig(host: string): SshConfig {
    if (this.config) return this.config;
    const file = this.options.sshConfigFile ?? path.join(this.home, '.ssh', 'config');
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (this.options.sshConfigFile !== undefined || code !== 'ENOENT') {
        throw new TransportError(host, 'connect', `cannot read ssh config ${file}: ${code ?? err}`);
      }
    }
    this.config = parseSshConfig(text, file, includeReader(this.home));
    return this.config;
  }

  /** Takes a reference on the session for `chain`, opening it (and its jumps) if needed. */
  private acquire(
    chain: Endpoint[],
    target: ConnectTarget,
    isHop: boolean,
  ): { key: string; entry: PoolEntry; fresh: boolean } {
    const key = routeKey(chain);
    const existing = this.pool.get(key);
    if (existing) {
      existing.refs++;
      return { key, entry: existing, fresh: false };
    }
    const entry = { refs: 1 } as PoolEntry;
    entry.session = this.open(chain, target, isHop, () => this.forget(key, entry));
    entry.session.catch(() => this.forget(key, entry));
    this.pool.set(key, entry);
    return { key, entry, fresh: true };
  }

  private async open(
    chain: Endpoint[],
    target: ConnectTarget,
    isHop: boolean,
    onGone: () => void,
  ): Promise<Session> {
    const endpoint = chain[chain.length - 1];
    let jump: { key: string; entry: PoolEntry; fresh: boolean } | undefined;
    try {
      let sock: Ssh2Channel | undefined;
      let jumpSession: Session | undefined;
      if (chain.length > 1) {
        jump = this.acquire(chain.slice(0, -1), target, true);
        jumpSession = await jump.entry.session;
        const via = chain[chain.length - 2].label;
        sock = await jumpSession.forward(target.host, via, endpoint, target.connectTimeoutMs);
      }
      const knownHostsFile = expandPath(target.knownHostsFile ?? '~/.ssh/known_hosts', {
        home: this.home,
        localUser: '',
        remoteUser: endpoint.user,
        hostName: endpoint.address,
        originalHost: target.address,
        port: endpoint.port,
      });
      const agent = this.options.agentSocket ?? process.env.SSH_AUTH_SOCK;
      const opened = await this.handshakes.run(() =>
        openSsh({
          host: target.host,
          endpoint,
          knownHostsFile,
          acceptNew: target.acceptNew,
          timeoutMs: target.connectTimeoutMs,
          auth: planAuth(target.host, endpoint, {
            home: this.home,
            agentSocket: agent || undefined,
          }),
          sock,
          context: isHop ? `via jump host ${endpoint.label}: ` : '',
        }),
      );
      const connections = 1 + (jump?.fresh && jumpSession ? jumpSession.stats.connections : 0);
      const session = new Session(opened, this.maxChannels, connections, onGone);
      if (jump) {
        const held = jump;
        opened.client.once('close', () => void this.release(held.key, held.entry));
      }
      return session;
    } catch (err) {
      if (jump) void this.release(jump.key, jump.entry);
      throw err;
    }
  }

  private async release(key: string, entry: PoolEntry): Promise<void> {
    if (--entry.refs > 0) return;
    this.forget(key, entry);
    const session = await entry.session.catch(() => undefined);
    await session?.end();
  }

  /** A dead or closing session is never handed out again. */
  private forget(key: string, entry: PoolEntry): void {
    if (this.pool.get(key) === entry) this.pool.delete(key);
  }
}

/**
 * Reads `Include` files: relative paths are under ~/.ssh; `*` and `?` glob the
 * last part, case-sensitively as glob(3).
 */
function includeReader(home: string): IncludeReader {
  return (pattern) => {
    const expanded = pattern.startsWith('~') ? `${home}${pattern.slice(1)}` : pattern;
    const full = path.isAbsolute(expanded) ? expanded : path.join(home, '.ssh', expanded);
    const dir = path.dirname(full);
    const base = path.basename(full);
    let names: string[];
    if (/[*?]/.test(base)) {
      try {
        names = fs
          .readdirSync(dir)
          .filter((n) => matchWildcard(base, n, false))
          .sort();
      } catch {
        names = [];
      }
    } else {
      names = [base];
    }
    return names.flatMap((name) => {
      const file = path.join(dir, name);
      try {
        return [{ file, text: fs.readFileSync(file, 'utf8') }];
      } catch {
        return [];
      }
    });
  };
}
