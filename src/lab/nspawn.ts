/** Starting and stopping a host's systemd-nspawn process. */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { EnvironmentError } from '../core/errors';
import { killCgroup } from './cgroups';
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

export type StopOutcome = 'not running' | 'powered off' | 'killed';

/**
 * Powers a host off: SIGTERM makes systemd-nspawn send SIGRTMIN+4 (poweroff)
 * to the host's systemd; after `graceMs` the whole cgroup and systemd-nspawn are killed.
 */
export async function stopNspawn(
  record: ProcessRecord | undefined,
  cgroups: readonly string[],
  graceMs = 15_000,
): Promise<StopOutcome> {
  if (!record || !isSameProcessAlive(record)) {
    for (const cg of cgroups) killCgroup(cg);
    return 'not running';
  }
  // A host's systemd ignores the signal until it has set up its handlers early
  // in boot: ask again every second.
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    signalProcess(record, 'SIGTERM');
    if (await waitForExit(record, Math.min(1000, deadline - Date.now()))) {
      for (const cg of cgroups) killCgroup(cg);
      return 'powered off';
    }
  }
  for (const cg of cgroups) killCgroup(cg);
  signalProcess(record, 'SIGKILL');
  await waitForExit(record, 5_000);
  return 'killed';
}
