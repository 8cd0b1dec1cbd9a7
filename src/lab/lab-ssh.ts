/** Reaching a host of a recorded lab by name, as the deploy user over OpenSSH. */
import { UsageError } from '../core/errors';
import { labPaths, labRoot } from './paths';
import { validateLabName } from './plan-names';
import { sshRun, type SshResult } from './ssh';
import type { SshTarget } from './ssh-args';
import { readState } from './state';

export function labSshTarget(
  labName: string | undefined,
  host: string,
  options: { root?: string } = {},
): SshTarget {
  const name = validateLabName(labName);
  const paths = labPaths(labRoot(options.root), name);
  const state = readState(paths.state);
  if (!state)
    throw new UsageError(`lab ${name} is not running; start it with \`foobar-infra lab up\``);
  const plan = state.hosts.find((h) => h.name === host || h.address === host);
  if (!plan) {
    throw new UsageError(
      `lab ${name} has no host "${host}"; its hosts: ${state.hosts.map((h) => h.name).join(', ')}`,
    );
  }
  return { address: plan.address, keyPath: paths.key, knownHostsPath: paths.knownHosts };
}

/** Runs a shell command line on a lab host; never throws for a non-zero exit. */
export function labExec(
  labName: string | undefined,
  host: string,
  command: string,
  options: { root?: string; timeoutMs?: number } = {},
): Promise<SshResult> {
  return sshRun(labSshTarget(labName, host, options), command, { timeoutMs: options.timeoutMs });
}
