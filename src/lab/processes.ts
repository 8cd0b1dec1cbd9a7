/**
 * Identifying the processes a lab started, so that a pid recorded in a state
 * file is only ever signalled while it is still the same process: the boot id
 * and the process start time must match too.
 */
import { readFileSync } from 'node:fs';

export interface ProcessRecord {
  pid: number;
  /** Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
  startTime: string;
  bootId: string;
}

export function currentBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** The start time of a process, or undefined when it does not exist. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold blanks.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Whether the process is running and not a zombie. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function recordProcess(pid: number): ProcessRecord | undefined {
  const startTime = processStartTime(pid);
  return startTime === undefined ? undefined : { pid, startTime, bootId: currentBootId() };
}

export function isSameProcessAlive(record: ProcessRecord | undefined): boolean {
  if (!record) return false;
  return (
    record.bootId === currentBootId() &&
    processStartTime(record.pid) === record.startTime &&
    running(record.pid)
  );
}

export function signalProcess(record: ProcessRecord, signal: NodeJS.Signals): boolean {
  if (!isSameProcessAlive(record)) return false;
  try {
    process.kill(record.pid, signal);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until the process is gone; true when it went within the time. */
export async function waitForExit(record: ProcessRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isSameProcessAlive(record)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}
