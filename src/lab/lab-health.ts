/** Whether a recorded lab is fully up, and what is wrong when it is not. */
import { UsageError } from '../core/errors';
import { linkExists, netnsExists } from './network';
import { isMountPoint } from './mounts';
import { currentBootId, isSameProcessAlive } from './processes';
import type { LabState } from './state';

export interface LabHealth {
  healthy: boolean;
  problems: string[];
  /** Hosts whose systemd-nspawn process is alive. */
  processesAlive: Record<string, boolean>;
}

export async function inspectLab(state: LabState): Promise<LabHealth> {
  const problems: string[] = [];
  const processesAlive: Record<string, boolean> = {};
  if (state.bootId !== currentBootId())
    problems.push('the machine was restarted since the lab started');
  if (state.phase !== 'running') problems.push(`it was interrupted while ${state.phase}`);
  if (!(await linkExists(state.bridge))) problems.push(`bridge ${state.bridge} is missing`);
  for (const host of state.hosts) {
    const runtime = state.runtime[host.name] ?? {};
    const alive = isSameProcessAlive(runtime.process);
    processesAlive[host.name] = alive;
    if (!alive) problems.push(`${host.name} is not running`);
    if (!netnsExists(host.netns)) problems.push(`network namespace ${host.netns} is missing`);
    if (!runtime.mount || !isMountPoint(runtime.mount))
      problems.push(`the root of ${host.name} is not mounted`);
  }
  return { healthy: problems.length === 0, problems, processesAlive };
}

/** Refuses a lab that is not fully up (a usage error naming its problems, then `advice`). */
export async function assertLabUp(state: LabState, advice: string): Promise<void> {
  const health = await inspectLab(state);
  if (!health.healthy) {
    throw new UsageError(
      `lab ${state.name} is not fully up (${health.problems.join('; ')}); ${advice}`,
    );
  }
}
