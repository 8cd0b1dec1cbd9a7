/** `lab down`: stop every host and remove every object the lab made on the machine. */
import { existsSync } from 'node:fs';
import { teardownLab } from './lab-teardown';
import { withLock } from './lock';
import { assertLabSupported, type Progress } from './machine';
import { removeTree } from './mounts';
import { labPaths, labRoot } from './paths';
import { validateLabName } from './plan-names';
import { readState, StateStore } from './state';
import type { StopOutcome } from './nspawn';

export interface LabDownOptions {
  root?: string;
  progress?: Progress;
}

export interface LabDownResult {
  name: string;
  /** False when there was nothing to take down. */
  wasUp: boolean;
  hosts: { name: string; outcome: StopOutcome }[];
  ms: number;
}

export async function labDown(name?: string, options: LabDownOptions = {}): Promise<LabDownResult> {
  const started = Date.now();
  const labName = validateLabName(name);
  const progress: Progress = options.progress ?? (() => undefined);
  assertLabSupported('lab down');
  const paths = labPaths(labRoot(options.root), labName);
  if (!existsSync(paths.dir))
    return { name: labName, wasUp: false, hosts: [], ms: Date.now() - started };
  return withLock(
    paths.lock,
    `lab ${labName}`,
    async () => {
      const state = readState(paths.state);
      if (!state) {
        // Nothing recorded; host folders can only be leftovers (unmounted first).
        if (existsSync(paths.hosts)) await removeTree('clean leftover host folders', paths.hosts);
        return { name: labName, wasUp: false, hosts: [], ms: Date.now() - started };
      }
      progress(`stopping lab ${labName}: ${state.hosts.map((h) => h.name).join(', ')}`);
      const report = await teardownLab(new StateStore(paths.state, state), paths, progress);
      return { name: labName, wasUp: true, hosts: report.hosts, ms: Date.now() - started };
    },
    { waitMs: 10 * 60_000, onWait: progress },
  );
}
