/** OpenSSH client arguments for reaching a lab host. Pure. */
import { DEPLOY_USER } from './recipe';

export interface SshTarget {
  address: string;
  keyPath: string;
  knownHostsPath: string;
  user?: string;
}

export interface SshArgOptions {
  /** Allocate a terminal (interactive shells). */
  tty?: boolean;
  connectTimeoutSec?: number;
  /** Never prompt (no terminal): the default unless `tty`. */
  batch?: boolean;
}

/**
 * Strict host key checking against the lab's own known_hosts, the lab key only,
 * no user or system ssh configuration, no agent forwarding.
 */
export function sshArgs(
  target: SshTarget,
  command: readonly string[],
  options: SshArgOptions = {},
): string[] {
  const batch = options.batch ?? !options.tty;
  return [
    '-F',
    '/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${target.knownHostsPath}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `IdentityFile=${target.keyPath}`,
    '-o',
    `ConnectTimeout=${options.connectTimeoutSec ?? 5}`,
    '-o',
    `BatchMode=${batch ? 'yes' : 'no'}`,
    '-o',
    'ForwardAgent=no',
    '-o',
    'ForwardX11=no',
    '-o',
    'LogLevel=ERROR',
    ...(options.tty ? ['-t'] : ['-T']),
    '-l',
    target.user ?? DEPLOY_USER,
    // `--` ends the options, so neither the address nor the command is read as one.
    '--',
    target.address,
    ...command,
  ];
}
