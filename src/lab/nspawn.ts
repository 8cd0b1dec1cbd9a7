/** Starting and stopping a host's systemd-nspawn process. */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { EnvironmentError } from '../core/errors';
import { cgroupHasProcesses, killCgroup } from './cgroups';
import { cgroupWrapper } from './nspawn-args';
import {
  recordProcess,
  signalProcess,
  waitForExit,
  isSameProcessAlive,
  type ProcessRecord,
} from './processes';

export interface StartInput {
  host: string;
  args: readonly string[];
  env: Record<string, string>;
  cgroups: readonly string[];
  logPath: string;
}

/** Starts systemd-nspawn detached (its own session); the log holds this boot's console. */
export function startNspawn(input: StartInput): ProcessRecord {
  const log = openSync(input.logPath, 'w', 0o644);
  try {
    const child = spawn('sh', cgroupWrapper(input.cgroups, 'systemd-nspawn', input.args), {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...input.env },
    });
    const pid = child.pid;
    child.unref();
    const record = pid === undefined ? undefined : recordProcess(pid);
    if (!record) {
      throw new EnvironmentError(
        `systemd-nspawn exited at once; see ${input.logPath}`,
        `boot ${input.host}`,
      );
    }
    return record;
  } finally {
    closeSync(log);
  }
}

export type StopOutcome = 'not running' | 'powered off' | 'killed' | 'discarded';

/**
 * Stops a host's systemd-nspawn. `poweroff`: SIGTERM makes systemd-nspawn
 * send SIGRTMIN+4 (poweroff) to the host's systemd, so that its services stop
 * as on a real shutdown; after `graceMs` the whole cgroup and systemd-nspawn
 * are killed. `discard`: the host's disk is thrown away next, so nothing on it
 * needs a clean stop; the cgroup and systemd-nspawn are killed at once
 * (where the kernel kills the cgroup; else it is powered off).
 */
export async function stopNspawn(
  record: ProcessRecord | undefined,
  cgroups: readonly string[],
  options: { mode: 'poweroff' | 'discard'; graceMs?: number },
): Promise<StopOutcome> {
  if (!record || !isSameProcessAlive(record)) {
    await killAndWait(cgroups);
    return 'not running';
  }
  // Only a kill of the whole cgroup reaches every process of the host (its
  // systemd lives in a PID namespace of its own): where the kernel cannot
  // kill a cgroup, or the kill was refused, the host is powered off instead.
  if (options.mode === 'discard' && killCgroups(cgroups)) {
    signalProcess(record, 'SIGKILL');
    await waitUntilEmpty(cgroups);
    await waitForExit(record, 5_000);
    return 'discarded';
  }
  // A host's systemd ignores the signal until it has set up its handlers early
  // in boot: ask again every second.
  const deadline = Date.now() + (options.graceMs ?? 15_000);
  while (Date.now() < deadline) {
    signalProcess(record, 'SIGTERM');
    if (await waitForExit(record, Math.min(1000, deadline - Date.now()))) {
      await killAndWait(cgroups);
      return 'powered off';
    }
  }
  await killNow(record, cgroups);
  return 'killed';
}

async function killNow(record: ProcessRecord, cgroups: readonly string[]): Promise<void> {
  signalProcess(record, 'SIGKILL');
  await killAndWait(cgroups);
  await waitForExit(record, 5_000);
}

/** Kills every process of the cgroups; true when the kernel took at least one kill. */
function killCgroups(cgroups: readonly string[]): boolean {
  return cgroups.map(killCgroup).some(Boolean);
}

/**
 * Kills every process left in the cgroups and, when the kernel took the kill,
 * waits (up to 5 s) until they are gone, so that the host's root can be
 * unmounted right after.
 */
async function killAndWait(cgroups: readonly string[]): Promise<void> {
  if (killCgroups(cgroups)) await waitUntilEmpty(cgroups);
}

async function waitUntilEmpty(cgroups: readonly string[]): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (cgroups.some(cgroupHasProcesses) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
}
