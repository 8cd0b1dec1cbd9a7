/**
 * Checkpoints of a running lab: each host's disk frozen as it is now, so that
 * `lab reset --to NAME` brings the hosts back to it in a reboot's time instead
 * of redoing what led there (an applied site, say).
 *
 * A host's disk is an overlay: the image, then frozen layers, then its own
 * upper layer. Saving powers the host off cleanly (services stop as on a real
 * shutdown), moves its upper layer into `layers/` (a rename: no copy), and
 * boots it again on top of that layer. Layers are never changed afterwards;
 * one that no checkpoint and no host uses any more is deleted.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError, UsageError } from '../core/errors';
import { bootHost, stopHost, waitForHost } from './host-lifecycle';
import { assertLabUp } from './lab-health';
import { writeFileAtomic } from './local-files';
import type { Progress } from './machine';
import { removeTree } from './mounts';
import { allSettledOrThrow } from './parallel';
import { hostPaths, type LabPaths } from './paths';
import { withRunningLab } from './running-lab';
import type { StateStore } from './state';

export interface CheckpointRecord {
  name: string;
  createdAt: string;
  /** Per host: its layers, topmost first. */
  hosts: Record<string, string[]>;
}

export interface CheckpointOptions {
  root?: string;
  /** Only these hosts (default: all). */
  hosts?: readonly string[];
  bootTimeoutMs?: number;
  progress?: Progress;
}

const CHECKPOINT_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export function validateCheckpointName(name: string): string {
  if (!CHECKPOINT_NAME.test(name)) {
    throw new UsageError(
      `checkpoint name "${name}": use 1 to 40 lowercase letters, digits, - or _, starting with a letter or digit`,
    );
  }
  return name;
}

function recordPath(paths: LabPaths, name: string): string {
  return join(paths.checkpoints, `${name}.json`);
}

export function readCheckpoint(paths: LabPaths, labName: string, name: string): CheckpointRecord {
  const file = recordPath(paths, validateCheckpointName(name));
  if (!existsSync(file)) {
    const known = listCheckpoints(paths).map((c) => c.name);
    throw new UsageError(
      `lab ${labName} has no checkpoint "${name}"` +
        (known.length > 0 ? ` (it has: ${known.join(', ')})` : ' (save one with lab checkpoint)'),
    );
  }
  return readRecord(file);
}

function readRecord(file: string): CheckpointRecord {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CheckpointRecord;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new EnvironmentError(`cannot read checkpoint ${file}: ${detail}`, 'read checkpoint');
  }
}

export function listCheckpoints(paths: LabPaths): CheckpointRecord[] {
  if (!existsSync(paths.checkpoints)) return [];
  return readdirSync(paths.checkpoints)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readRecord(join(paths.checkpoints, f)));
}

/** Deletes the layers that no checkpoint and no host's disk uses. */
export async function removeUnusedLayers(paths: LabPaths, store: StateStore): Promise<void> {
  if (!existsSync(paths.layers)) return;
  const used = new Set<string>();
  for (const record of listCheckpoints(paths))
    for (const layers of Object.values(record.hosts)) for (const l of layers) used.add(l);
  for (const runtime of Object.values(store.state.runtime))
    for (const l of runtime.layers ?? []) used.add(l);
  for (const entry of readdirSync(paths.layers)) {
    const layer = join(paths.layers, entry);
    if (!used.has(join(layer, 'fs'))) await removeTree('remove an unused checkpoint layer', layer);
  }
}

export interface CheckpointResult {
  name: string;
  lab: string;
  hosts: string[];
  ms: number;
}

/** Saves (or replaces) checkpoint `name` of the lab's hosts; they are running again after. */
export async function saveCheckpoint(
  labName: string | undefined,
  name: string,
  options: CheckpointOptions = {},
): Promise<CheckpointResult> {
  const started = Date.now();
  validateCheckpointName(name);
  const progress: Progress = options.progress ?? (() => undefined);
  return withRunningLab('lab checkpoint', labName, options, async (lab) => {
    const { paths, store, ctx, hosts } = lab;
    await assertLabUp(lab.state, 'run lab up or lab start');
    mkdirSync(paths.layers, { recursive: true });
    progress(`saving checkpoint ${name} of ${hosts.map((h) => h.name).join(', ')}`);
    store.setPhase('starting');
    const saved: Record<string, string[]> = {};
    await allSettledOrThrow(
      hosts.map(async (host) => {
        const below = store.host(host.name).layers ?? [];
        await stopHost(store, host.name, { keepDisk: true });
        const own = hostPaths(paths, host.name);
        const layer = mkdtempSync(join(paths.layers, `${host.name}-`));
        const layers = [join(layer, 'fs'), ...below];
        // Recorded before the move: an interrupted save never leaves the layer unused (and deleted).
        store.record(host.name, { layers });
        renameSync(own.upper, join(layer, 'fs'));
        saved[host.name] = layers;
        await removeTree(`clear the overlay work folder of ${host.name}`, own.work);
        mkdirSync(own.upper);
        await bootHost(ctx, host, { keepDisk: true });
        return waitForHost(ctx, host, options.bootTimeoutMs ?? 120_000);
      }),
    );
    store.setPhase('running');
    const record: CheckpointRecord = {
      name,
      createdAt: new Date().toISOString(),
      // In lab order, whichever host finished first.
      hosts: Object.fromEntries(hosts.map((h) => [h.name, saved[h.name] ?? []])),
    };
    writeFileAtomic(recordPath(paths, name), `${JSON.stringify(record, null, 2)}\n`);
    await removeUnusedLayers(paths, store);
    return { name, lab: lab.name, hosts: Object.keys(record.hosts), ms: Date.now() - started };
  });
}
