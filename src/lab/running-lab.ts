/** What the commands that work on hosts of a running lab share: its lock, state and host context. */
import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors';
import type { HostContext } from './host-lifecycle';
import { withLock } from './lock';
import { assertLabSupported, type Progress } from './machine';
import { labPaths, labRoot, type LabPaths } from './paths';
import { validateLabName, type HostPlan } from './plan-names';
import { readState, StateStore, type LabState } from './state';

export interface RunningLab {
  name: string;
  paths: LabPaths;
  state: LabState;
  store: StateStore;
  ctx: HostContext;
  /** The hosts asked for (all when none were named), in lab order. */
  hosts: HostPlan[];
}

/**
 * Runs `work` under the lab's lock, on a lab that exists, with the named
 * hosts checked (an unknown name is a usage error).
 */
export async function withRunningLab<T>(
  command: string,
  name: string | undefined,
  options: { root?: string; progress?: Progress; hosts?: readonly string[] },
  work: (lab: RunningLab) => Promise<T>,
): Promise<T> {
  const labName = validateLabName(name);
  const progress: Progress = options.progress ?? (() => undefined);
  assertLabSupported(command);
  const paths = labPaths(labRoot(options.root), labName);
  return withLock(
    paths.lock,
    `lab ${labName}`,
    async () => {
      const state = readState(paths.state);
      if (!state) throw new UsageError(`lab ${labName} is not running; start it with lab up`);
      const wanted = options.hosts ?? state.hosts.map((h) => h.name);
      const unknown = wanted.filter((n) => !state.hosts.some((h) => h.name === n));
      if (unknown.length > 0)
        throw new UsageError(`lab ${labName} has no host ${unknown.join(', ')}`);
      const store = new StateStore(paths.state, state);
      const ctx: HostContext = {
        store,
        paths,
        authorizedKey: readFileSync(paths.publicKey, 'utf8').trim(),
        progress,
      };
      const hosts = state.hosts.filter((h) => wanted.includes(h.name));
      return work({ name: labName, paths, state, store, ctx, hosts });
    },
    { waitMs: 10 * 60_000, onWait: progress },
  );
}
