/** The systemd-nspawn command line and environment of a lab host. Pure. */
import { HOST_REPO_MOUNT } from './host-files';

export interface NspawnInput {
  root: string;
  machine: string;
  netns: string;
  repoPath: string;
  unifiedCgroupHierarchy: boolean;
}

export function nspawnArgs(input: NspawnInput): string[] {
  return [
    '--quiet',
    `--directory=${input.root}`,
    `--machine=${input.machine}`,
    '--boot',
    `--network-namespace-path=/run/netns/${input.netns}`,
    // The host has its own network namespace: it may manage its firewall (nftables).
    '--capability=CAP_NET_ADMIN',
    // The machine's PID 1 is not necessarily systemd: no machined, no scope unit.
    '--register=no',
    '--keep-unit',
    '--link-journal=no',
    '--resolv-conf=off',
    // The boot log goes to the host's log file; nothing reads the console.
    '--console=read-only',
    // SIGTERM to systemd-nspawn powers the host off cleanly.
    '--kill-signal=SIGRTMIN+4',
    `--bind-ro=${input.repoPath}:${HOST_REPO_MOUNT}`,
  ];
}

export function nspawnEnv(
  input: Pick<NspawnInput, 'unifiedCgroupHierarchy'>,
): Record<string, string> {
  return input.unifiedCgroupHierarchy ? { SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1' } : {};
}

/**
 * A POSIX shell wrapper that moves itself into the host's cgroups and then
 * becomes systemd-nspawn (same pid), so the container never shares a cgroup.
 */
export function cgroupWrapper(
  cgroups: readonly string[],
  command: string,
  args: readonly string[],
): string[] {
  const script =
    'n=$1; shift; i=0; while [ "$i" -lt "$n" ]; do echo $$ > "$1/cgroup.procs" || exit 125; shift; i=$((i+1)); done; exec "$@"';
  return ['-c', script, 'foobar-lab-boot', String(cgroups.length), ...cgroups, command, ...args];
}
