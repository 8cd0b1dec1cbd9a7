/** Removing everything a lab's state records, in order; then the state itself. */
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { removeEmptyParents } from './cgroups';
import { removeHostNetwork, stopHost } from './host-lifecycle';
import type { Progress } from './machine';
import { removeTree } from './mounts';
import { deleteLink } from './network';
import type { LabPaths } from './paths';
import type { StateStore } from './state';
import type { StopOutcome } from './nspawn';

export interface TeardownReport {
  hosts: { name: string; outcome: StopOutcome }[];
  ms: number;
}

export async function teardownLab(
  store: StateStore,
  paths: LabPaths,
  progress: Progress,
): Promise<TeardownReport> {
  const started = Date.now();
  store.setPhase('stopping');
  const names = Object.keys(store.state.runtime);
  // Stopping is the slow part: all hosts at once.
  const outcomes = await Promise.all(
    names.map(async (name) => ({ name, outcome: await stopHost(store, name) })),
  );
  for (const { name, outcome } of outcomes) {
    if (outcome === 'killed') progress(`${name} did not power off in time and was killed`);
  }
  for (const name of names) await removeHostNetwork(store, name);
  // Checkpoints belong to this lab's hosts: a new lab starts without them.
  for (const dir of [paths.layers, paths.checkpoints])
    if (existsSync(dir)) await removeTree('remove the lab checkpoints', dir);
  if (store.state.bridgeCreated) await deleteLink(store.state.bridge);
  removeEmptyParents(store.state.name);
  store.remove();
  if (existsSync(paths.hosts) && readdirSync(paths.hosts).length === 0) rmdirSync(paths.hosts);
  return { hosts: outcomes, ms: Date.now() - started };
}
