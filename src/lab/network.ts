/**
 * The lab's network on the machine: one bridge (the machine's end holds .1),
 * and per host a network namespace joined to the bridge by a veth pair. There
 * is no NAT, no forwarding and no default route: hosts only reach the subnet.
 */
import { existsSync } from 'node:fs';
import { run, runOk } from './exec';
import { parseIpRoutes, type RouteEntry } from './routes';

export function netnsExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`);
}

export async function linkExists(name: string): Promise<boolean> {
  const result = await run('ip', ['-o', 'link', 'show', 'dev', name]);
  return result.code === 0;
}

export async function readRoutes(): Promise<RouteEntry[]> {
  const result = await runOk('read routes', 'ip', ['-4', 'route', 'show', 'table', 'all']);
  return parseIpRoutes(result.stdout);
}

export async function createBridge(name: string, gateway: string, prefix: number): Promise<void> {
  const step = `create bridge ${name}`;
  await runOk(step, 'ip', ['link', 'add', 'name', name, 'type', 'bridge', 'stp_state', '0']);
  await runOk(step, 'ip', ['address', 'add', `${gateway}/${prefix}`, 'dev', name]);
  await runOk(step, 'ip', ['link', 'set', 'dev', name, 'up']);
}

export async function createNetns(name: string): Promise<void> {
  await runOk(`create network namespace ${name}`, 'ip', ['netns', 'add', name]);
}

/** A veth pair: `veth` on the bridge, its peer `eth0` with the host's address inside `netns`. */
export async function createHostLink(
  netns: string,
  veth: string,
  bridge: string,
  address: string,
  prefix: number,
): Promise<void> {
  const step = `connect network namespace ${netns}`;
  await runOk(step, 'ip', [
    'link',
    'add',
    'name',
    veth,
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    netns,
  ]);
  await runOk(step, 'ip', ['link', 'set', 'dev', veth, 'master', bridge, 'up']);
  await runOk(step, 'ip', ['-n', netns, 'address', 'add', `${address}/${prefix}`, 'dev', 'eth0']);
  await runOk(step, 'ip', ['-n', netns, 'link', 'set', 'dev', 'lo', 'up']);
  await runOk(step, 'ip', ['-n', netns, 'link', 'set', 'dev', 'eth0', 'up']);
}

/** Deletes a link when it exists (deleting one end of a veth pair deletes both). */
export async function deleteLink(name: string): Promise<void> {
  if (await linkExists(name))
    await runOk(`delete link ${name}`, 'ip', ['link', 'delete', 'dev', name]);
}

export async function deleteNetns(name: string): Promise<void> {
  if (netnsExists(name))
    await runOk(`delete network namespace ${name}`, 'ip', ['netns', 'delete', name]);
}
