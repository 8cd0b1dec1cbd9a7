/**
 * Giving a host its own identity before its first boot, by writing into its
 * copy-on-write root (the writes land in the host's overlay upper layer):
 * hostname, machine id, SSH host key, authorized keys, apt source, /etc/hosts.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../core/errors';
import { renderAptSources, renderEtcHosts, renderResolvConf } from './host-files';
import type { HostPlan } from './plan-names';
import { DEPLOY_USER } from './recipe';
import { lookupUser, makeDirInRoot, removeInRoot, writeInRoot } from './root-files';

export interface PrepareInput {
  root: string;
  host: HostPlan;
  hosts: readonly HostPlan[];
  /** The lab's client public key line. */
  authorizedKey: string;
  /** The host's private key file on the machine (`.pub` beside it). */
  hostKeyPath: string;
}

export function randomMachineId(): string {
  return randomBytes(16).toString('hex');
}

export async function prepareHostRoot(input: PrepareInput): Promise<void> {
  const { root, host } = input;
  const step = `prepare ${host.name}`;
  await writeInRoot(step, root, '/etc/hostname', `${host.name}\n`);
  await writeInRoot(step, root, '/etc/hosts', renderEtcHosts(host.name, input.hosts));
  await writeInRoot(step, root, '/etc/machine-id', `${randomMachineId()}\n`, { mode: 0o444 });
  await writeInRoot(step, root, '/etc/resolv.conf', renderResolvConf());

  // Only the host key the lab generated for this host (known_hosts lists it).
  const sshDir = join(root, 'etc', 'ssh');
  const oldKeys = readdirSync(sshDir).filter((f) => f.startsWith('ssh_host_'));
  await removeInRoot(
    step,
    root,
    oldKeys.map((f) => `/etc/ssh/${f}`),
  );
  await writeInRoot(step, root, '/etc/ssh/ssh_host_ed25519_key', readFileSync(input.hostKeyPath), {
    mode: 0o600,
  });
  await writeInRoot(
    step,
    root,
    '/etc/ssh/ssh_host_ed25519_key.pub',
    readFileSync(`${input.hostKeyPath}.pub`),
  );

  const keys = `${input.authorizedKey}\n`;
  await makeDirInRoot(step, root, '/root/.ssh', { mode: 0o700, uid: 0, gid: 0 });
  await writeInRoot(step, root, '/root/.ssh/authorized_keys', keys, {
    mode: 0o600,
    uid: 0,
    gid: 0,
  });
  const deploy = await lookupUser(root, DEPLOY_USER);
  if (!deploy) throw new EnvironmentError(`the image has no user ${DEPLOY_USER}`, step);
  const owner = { uid: deploy.uid, gid: deploy.gid };
  await makeDirInRoot(step, root, `${deploy.home}/.ssh`, { mode: 0o700, ...owner });
  await writeInRoot(step, root, `${deploy.home}/.ssh/authorized_keys`, keys, {
    mode: 0o600,
    ...owner,
  });

  // The lab repository is the only package source: hosts have no internet.
  const listDir = join(root, 'etc', 'apt', 'sources.list.d');
  const lists = readdirSync(listDir).filter((f) => f.endsWith('.list') || f.endsWith('.sources'));
  await removeInRoot(
    step,
    root,
    lists.map((f) => `/etc/apt/sources.list.d/${f}`),
  );
  await writeInRoot(step, root, '/etc/apt/sources.list', renderAptSources());

  // The database is installed later by the tool; it must create its own UUID.
  await removeInRoot(step, root, ['/var/lib/mysql/auto.cnf']);
}
