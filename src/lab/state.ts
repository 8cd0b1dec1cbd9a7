/**
 * The state file of a lab: what the lab is (plan) and what exists on the
 * machine because of it (runtime). Every object is recorded before it is
 * created, so that `lab down` after a crash removes exactly what was made.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { EnvironmentError } from '../core/errors';
import type { Flavor } from './flavors';
import { writeFileAtomic } from './local-files';
import type { HostPlan } from './plan-names';
import type { ProcessRecord } from './processes';

export const STATE_VERSION = 1;

export interface HostRuntime {
  /** Network namespace created for the host. */
  netns?: string;
  /** Machine end of the veth pair. */
  veth?: string;
  /** Folder with upper, work and root. */
  dir?: string;
  /** The overlay mount point (the host's root). */
  mount?: string;
  /**
   * Frozen layers between the image and the host's upper layer, topmost
   * first: the checkpoint the host was booted from (none for a bare host).
   */
  layers?: string[];
  /** The host's cgroup folders. */
  cgroups?: string[];
  /** The systemd-nspawn process. */
  process?: ProcessRecord;
}

export interface LabState {
  version: number;
  name: string;
  flavor: Flavor;
  suite: string;
  subnet: string;
  bridge: string;
  gateway: string;
  imageId: string;
  imageRoot: string;
  repoId: string;
  repoPath: string;
  hosts: HostPlan[];
  /** `starting` until every host answered; `running` after; `stopping` during down. */
  phase: 'starting' | 'running' | 'stopping';
  /** The bridge was created (recorded before creating it). */
  bridgeCreated: boolean;
  runtime: Record<string, HostRuntime>;
  bootId: string;
  startedAt: string;
}

export function readState(path: string): LabState | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: LabState;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as LabState;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new EnvironmentError(`cannot read lab state ${path}: ${detail}`, 'read lab state');
  }
  if (parsed.version !== STATE_VERSION) {
    throw new EnvironmentError(
      `lab state ${path} has version ${parsed.version}, expected ${STATE_VERSION}`,
      'read lab state',
    );
  }
  return parsed;
}

/** The state of one lab, saved after every change. */
export class StateStore {
  constructor(
    readonly path: string,
    public state: LabState,
  ) {}

  save(): void {
    writeFileAtomic(this.path, `${JSON.stringify(this.state, null, 2)}\n`, 0o644);
  }

  host(name: string): HostRuntime {
    this.state.runtime[name] ??= {};
    return this.state.runtime[name];
  }

  /** Records part of a host's runtime (before creating it) and saves. */
  record(host: string, change: Partial<HostRuntime>): void {
    Object.assign(this.host(host), change);
    this.save();
  }

  /** Forgets part of a host's runtime (after removing it) and saves. */
  forget(host: string, ...keys: (keyof HostRuntime)[]): void {
    const runtime = this.host(host);
    for (const key of keys) delete runtime[key];
    this.save();
  }

  setPhase(phase: LabState['phase']): void {
    this.state.phase = phase;
    this.save();
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
