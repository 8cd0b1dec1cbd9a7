/**
 * The machine the lab runs on: Linux and root, the Debian packages the lab
 * needs (installed with apt-get when missing), and the Debian mirror it uses.
 */
import { existsSync, readFileSync, readdirSync, accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../core/errors';
import {
  FALLBACK_MIRROR,
  parseDeb822Sources,
  parseOneLineSources,
  pickDebianMirror,
  type AptSource,
} from './apt-sources';
import { run, runOk, outputTail, type RunResult } from './exec';
import { sleep } from './processes';

export type Progress = (line: string) => void;

/** Why the lab cannot run here, or undefined when it can. */
export function labUnsupportedReason(): string | undefined {
  if (process.platform !== 'linux') {
    return `the lab needs Linux (network namespaces, overlayfs, systemd-nspawn); this is ${process.platform}`;
  }
  const uid = process.getuid?.();
  if (uid !== 0)
    return `the lab needs root (it creates network namespaces and mounts); running as uid ${uid}`;
  return undefined;
}

export function assertLabSupported(step: string): void {
  const reason = labUnsupportedReason();
  if (reason) throw new EnvironmentError(reason, step);
}

/** A command the lab runs on the machine, and the Debian package that provides it. */
const REQUIRED_TOOLS: readonly { path: string; pkg: string }[] = [
  { path: 'debootstrap', pkg: 'debootstrap' },
  { path: 'systemd-nspawn', pkg: 'systemd-container' },
  { path: 'dpkg-scanpackages', pkg: 'dpkg-dev' },
  { path: 'ssh', pkg: 'openssh-client' },
  { path: 'ssh-keygen', pkg: 'openssh-client' },
  { path: 'openssl', pkg: 'openssl' },
  { path: 'ip', pkg: 'iproute2' },
  { path: 'mount', pkg: 'mount' },
  { path: 'chroot', pkg: 'coreutils' },
  { path: '/usr/share/keyrings/debian-archive-keyring.gpg', pkg: 'debian-archive-keyring' },
];

function onPath(command: string): boolean {
  if (command.startsWith('/')) return existsSync(command);
  const dirs = (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':');
  for (const dir of [...dirs, '/usr/sbin', '/sbin']) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

export function missingPackages(): string[] {
  return [...new Set(REQUIRED_TOOLS.filter((t) => !onPath(t.path)).map((t) => t.pkg))];
}

const LOCK_WAIT_MS = 5 * 60_000;

function isLockError(result: RunResult): boolean {
  return (
    result.code !== 0 &&
    /Could not get lock|Unable to acquire the dpkg frontend lock|is another process using it/i.test(
      `${result.stdout}\n${result.stderr}`,
    )
  );
}

/** apt-get on the machine, waiting (up to 5 minutes) while another process holds the dpkg lock. */
export async function aptGet(
  step: string,
  args: readonly string[],
  progress: Progress,
): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  const fullArgs = ['-q', '-o', `DPkg::Lock::Timeout=${Math.round(LOCK_WAIT_MS / 1000)}`, ...args];
  let told = false;
  for (;;) {
    const result = await run('apt-get', fullArgs, { env: { DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.code === 0) return;
    if (isLockError(result) && Date.now() < deadline) {
      if (!told) progress('waiting for the dpkg lock (another package manager is running)');
      told = true;
      await sleep(2000);
      continue;
    }
    throw new EnvironmentError(
      `apt-get ${args.join(' ')} exited with ${result.code}:\n${outputTail(result)}`,
      step,
    );
  }
}

/** Installs the machine packages the lab needs that are missing, saying which. */
export async function ensureMachinePackages(progress: Progress): Promise<string[]> {
  const missing = missingPackages();
  if (missing.length === 0) return [];
  if (!onPath('apt-get')) {
    throw new EnvironmentError(
      `missing ${missing.join(', ')} and there is no apt-get to install them: the lab needs a Debian-based machine`,
      'install machine packages',
    );
  }
  progress(`installing on this machine: ${missing.join(', ')} (apt-get)`);
  await aptGet('install machine packages', ['update'], progress);
  await aptGet(
    'install machine packages',
    ['install', '-y', '--no-install-recommends', ...missing],
    progress,
  );
  const still = missingPackages();
  if (still.length > 0) {
    throw new EnvironmentError(
      `still missing after apt-get install: ${still.join(', ')}`,
      'install machine packages',
    );
  }
  return missing;
}

/** The machine's apt sources (one-line and deb822 files). */
export function readMachineAptSources(): AptSource[] {
  const sources: AptSource[] = [];
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  sources.push(...parseOneLineSources(read('/etc/apt/sources.list')));
  const dir = '/etc/apt/sources.list.d';
  let entries: string[] = [];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    entries = [];
  }
  for (const entry of entries) {
    if (entry.endsWith('.list')) sources.push(...parseOneLineSources(read(join(dir, entry))));
    if (entry.endsWith('.sources')) sources.push(...parseDeb822Sources(read(join(dir, entry))));
  }
  return sources;
}

/** The Debian mirror of the machine's apt sources (deb.debian.org when none is found). */
export function debianMirror(): string {
  return (
    process.env.FOOBAR_INFRA_LAB_MIRROR ??
    pickDebianMirror(readMachineAptSources()) ??
    FALLBACK_MIRROR
  );
}

/** Checks that the kernel lets us do what the lab needs, with a clear message otherwise. */
export async function checkKernelFeatures(): Promise<void> {
  const filesystems = readFileSync('/proc/filesystems', 'utf8');
  if (!/\toverlay\n/.test(filesystems)) {
    const loaded = await run('modprobe', ['overlay']).catch(() => undefined);
    if (!loaded || loaded.code !== 0) {
      throw new EnvironmentError(
        'the kernel has no overlay filesystem (modprobe overlay failed)',
        'check kernel',
      );
    }
  }
  await runOk('check kernel', 'ip', ['netns', 'list']);
}
