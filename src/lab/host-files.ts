/** Contents of the small files each lab host and the lab itself get. Pure. */
import type { HostPlan } from './plan-names';
import { DEPLOY_USER } from './recipe';

/** Where the local package repository is mounted (read-only) inside every host. */
export const HOST_REPO_MOUNT = '/srv/foobar-lab-repo';

/** The host's only apt source: the lab repository, no network. */
export function renderAptSources(mountPoint = HOST_REPO_MOUNT): string {
  return [
    '# foobar-infra lab: the only package source is the local repository mounted from the machine.',
    '# Lab hosts have no route to the internet.',
    `deb [trusted=yes] file:${mountPoint} ./`,
    '',
  ].join('\n');
}

export function renderEtcHosts(self: string, hosts: readonly HostPlan[]): string {
  return [
    '127.0.0.1\tlocalhost',
    `127.0.1.1\t${self}`,
    '::1\tlocalhost ip6-localhost ip6-loopback',
    '',
    '# foobar-infra lab hosts',
    ...hosts.map((h) => `${h.address}\t${h.name}`),
    '',
  ].join('\n');
}

/** Lab hosts have no name server; names come from /etc/hosts. */
export function renderResolvConf(): string {
  return '# foobar-infra lab: no DNS; lab host names are in /etc/hosts\n';
}

/** Only the ed25519 host key the lab generated; keys only, no passwords. */
export function renderSshdConfig(): string {
  return [
    '# foobar-infra lab',
    'HostKey /etc/ssh/ssh_host_ed25519_key',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'UseDNS no',
    '',
  ].join('\n');
}

export function renderSudoers(user = DEPLOY_USER): string {
  return `# foobar-infra lab\n${user} ALL=(ALL:ALL) NOPASSWD: ALL\n`;
}

/** Keeps services from starting inside a chroot while packages are handled there. */
export function renderPolicyRcD(): string {
  return '#!/bin/sh\n# foobar-infra lab: no service starts in a chroot\nexit 101\n';
}

export interface KnownHostEntry {
  names: readonly string[];
  /** `ssh-ed25519 AAAA...` (a comment after the key is dropped). */
  publicKey: string;
}

export function renderKnownHosts(entries: readonly KnownHostEntry[]): string {
  return entries
    .map((e) => {
      const [type, key] = e.publicKey.trim().split(/\s+/);
      return `${e.names.join(',')} ${type} ${key}\n`;
    })
    .join('');
}
