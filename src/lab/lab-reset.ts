/**
 * Returning every host of a running lab to bare (or to a checkpoint): stop
 * it, drop its overlay upper layer, boot it again. The network stays; it is
 * much faster than down + up.
 */
import { UsageError } from '../core/errors';
import { bootHost, stopHost, waitForHost } from './host-lifecycle';
import { labInfo, type LabUpResult } from './lab-info';
import { readCheckpoint, removeUnusedLayers } from './lab-checkpoint';
import { assertLabUp } from './lab-health';
import type { Progress } from './machine';
import { allSettledOrThrow } from './parallel';
import { withRunningLab } from './running-lab';

export interface ResetOptions {
  root?: string;
  /** Only these hosts (default: all). */
  hosts?: readonly string[];
  bootTimeoutMs?: number;
  progress?: Progress;
  /** A checkpoint (lab checkpoint) to return to instead of bare. */
  to?: string;
}

export async function resetLab(name?: string, options: ResetOptions = {}): Promise<LabUpResult> {
  const started = Date.now();
  const progress: Progress = options.progress ?? (() => undefined);
  return withRunningLab(
    'lab reset',
    name,
    options,
    async ({ name: labName, paths, state, store, ctx, hosts }) => {
      await assertLabUp(state, 'run lab up');
      const checkpoint =
        options.to === undefined ? undefined : readCheckpoint(paths, labName, options.to);
      const missing = hosts.filter((h) => checkpoint && !checkpoint.hosts[h.name]);
      if (checkpoint && missing.length > 0) {
        throw new UsageError(
          `checkpoint ${checkpoint.name} of lab ${labName} has no ${missing.map((h) => h.name).join(', ')}`,
        );
      }
      const target = checkpoint ? `checkpoint ${checkpoint.name}` : 'bare';
      progress(`resetting ${hosts.map((h) => h.name).join(', ')} to ${target}`);
      store.setPhase('starting');
      const bootStarted = Date.now();
      const readiness = await allSettledOrThrow(
        hosts.map(async (host) => {
          await stopHost(store, host.name);
          await bootHost(ctx, host, { layers: checkpoint?.hosts[host.name] ?? [] });
          return waitForHost(ctx, host, options.bootTimeoutMs ?? 120_000);
        }),
      );
      store.setPhase('running');
      await removeUnusedLayers(paths, store);
      return {
        ...labInfo(paths, state),
        alreadyRunning: false,
        repaired: false,
        degraded: readiness
          .filter((r) => r.state === 'degraded')
          .map((r) => ({ host: r.host, failedUnits: r.failedUnits })),
        installedPackages: [],
        timings: { totalMs: Date.now() - started, bootMs: Date.now() - bootStarted },
      };
    },
  );
}
