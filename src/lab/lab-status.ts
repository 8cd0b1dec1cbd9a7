/** `lab status`: the hosts of a lab, their addresses, and whether each is up. */
import { connect } from 'node:net';
import { labInfo, type LabHost, type LabInfo } from './lab-info';
import { listCheckpoints } from './lab-checkpoint';
import { inspectLab } from './lab-health';
import { labPaths, labRoot } from './paths';
import { validateLabName } from './plan-names';
import { readState } from './state';

export type HostStatus = 'up' | 'booting' | 'down';

export interface LabStatusHost extends LabHost {
  status: HostStatus;
}

export interface LabStatus {
  name: string;
  /** `absent`: no lab recorded; `partial`: recorded but not fully up (run lab up or down). */
  state: 'running' | 'partial' | 'absent';
  problems: string[];
  info?: LabInfo;
  hosts: LabStatusHost[];
  /** Saved checkpoints (lab checkpoint), by name. */
  checkpoints: { name: string; createdAt: string; hosts: string[] }[];
}

/** Whether something accepts TCP connections (sshd) at address:port. */
export function portOpen(address: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function labStatus(
  name?: string,
  options: { root?: string } = {},
): Promise<LabStatus> {
  const labName = validateLabName(name);
  const paths = labPaths(labRoot(options.root), labName);
  const state = readState(paths.state);
  if (!state) return { name: labName, state: 'absent', problems: [], hosts: [], checkpoints: [] };
  const health = await inspectLab(state);
  const info = labInfo(paths, state);
  const hosts = await Promise.all(
    info.hosts.map(async (host): Promise<LabStatusHost> => {
      if (!health.processesAlive[host.name]) return { ...host, status: 'down' };
      return { ...host, status: (await portOpen(host.address, 22)) ? 'up' : 'booting' };
    }),
  );
  return {
    name: labName,
    state: health.healthy ? 'running' : 'partial',
    problems: health.problems,
    info,
    hosts,
    checkpoints: listCheckpoints(paths).map((c) => ({
      name: c.name,
      createdAt: c.createdAt,
      hosts: Object.keys(c.hosts),
    })),
  };
}
