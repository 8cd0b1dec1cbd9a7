import { expandPath, resolveSshConfig, type SshConfig } from './ssh-config';
import type { ConnectTarget } from './types';

/**
 * Where a target really is, pure: the inventory's values merged with ssh
 * config, and the jump hosts in front of it. Explicit inventory values win;
 * ssh config fills what the inventory left at its defaults.
 */

/** One SSH server to log in to. */
export interface Endpoint {
  /** How messages name it: the inventory host, or the jump spec as written. */
  label: string;
  address: string;
  port: number;
  user: string;
  /** Expanded paths, in the order to try. Empty: the default keys. */
  keyFiles: string[];
  /** keyFiles came from the inventory: a missing file is an error, not skipped. */
  explicitKey: boolean;
}

export interface Route {
  /** Jump hosts, first hop first; then the target. */
  hops: Endpoint[];
  target: Endpoint;
}

export interface RouteContext {
  home: string;
  /** Default user of a jump host that names none, as for OpenSSH. */
  localUser: string;
}

export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

/** Parses `[user@]host[:port]` hops separated by commas (`[v6addr]:port` and `ssh://` allowed). */
export function parseJumpSpec(spec: string): JumpSpec[] | { error: string } {
  const hops: JumpSpec[] = [];
  for (const raw of spec.split(',')) {
    const text = raw.trim().replace(/^ssh:\/\//, '');
    const m = /^(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:@\s[\]]+)(?::(\d{1,5}))?$/.exec(text);
    const port = m?.[3] === undefined ? undefined : Number(m[3]);
    if (!m || (port !== undefined && (port < 1 || port > 65535))) {
      return { error: `jump host "${raw.trim()}" is not [user@]host[:port]` };
    }
    hops.push({ user: m[1], host: m[2].replace(/^\[(.*)\]$/, '$1'), port });
  }
  return hops;
}

export function resolveRoute(
  target: ConnectTarget,
  config: SshConfig,
  context: RouteContext,
): Route | { error: string } {
  const settings = resolveSshConfig(config, target.address);
  const defaulted = target.defaulted ?? {};
  const address = (defaulted.address && settings.hostName) || target.address;
  const port = (defaulted.port && settings.port) || target.port;
  const user = (defaulted.user && settings.user) || target.user;
  const tokens = {
    home: context.home,
    localUser: context.localUser,
    remoteUser: user,
    hostName: address,
    originalHost: target.address,
    port,
  };
  const targetKeys = target.keyFile ? [expandPath(target.keyFile, tokens)] : [];
  const keyFiles = target.keyFile
    ? targetKeys
    : settings.identityFiles.map((f) => expandPath(f, tokens));
  const endpoint: Endpoint = {
    label: target.host,
    address,
    port,
    user,
    keyFiles,
    explicitKey: target.keyFile !== undefined,
  };

  const jump = target.proxyJump ?? settings.proxyJump;
  if (jump === undefined || jump.toLowerCase() === 'none') return { hops: [], target: endpoint };
  const specs = parseJumpSpec(jump);
  if ('error' in specs) return specs;
  const hops = specs.map((spec): Endpoint => {
    const hop = resolveSshConfig(config, spec.host);
    const hopAddress = hop.hostName ?? spec.host;
    const hopPort = spec.port ?? hop.port ?? 22;
    const hopUser = spec.user ?? hop.user ?? context.localUser;
    const hopTokens = {
      ...tokens,
      remoteUser: hopUser,
      hostName: hopAddress,
      originalHost: spec.host,
      port: hopPort,
    };
    // A hop with no IdentityFile of its own uses the inventory key of the target it leads to.
    const own = hop.identityFiles.map((f) => expandPath(f, hopTokens));
    return {
      label: `${spec.user ? `${spec.user}@` : ''}${spec.host}${spec.port ? `:${spec.port}` : ''}`,
      address: hopAddress,
      port: hopPort,
      user: hopUser,
      keyFiles: own.length > 0 ? own : targetKeys,
      explicitKey: own.length === 0 && target.keyFile !== undefined,
    };
  });
  return { hops, target: endpoint };
}

/** Identifies an SSH session: the same chain of logins shares one connection. */
export function routeKey(hops: readonly Endpoint[]): string {
  return hops.map((h) => `${h.user}@${h.address}:${h.port}`).join(' > ');
}
