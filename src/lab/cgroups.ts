/**
 * A cgroup of its own for each host. systemd-nspawn with --keep-unit on a
 * machine whose PID 1 is not systemd puts the container in `<own cgroup>/payload`;
 * without a cgroup per host, every container would share `/payload`.
 */
import {
  existsSync,
  readdirSync,
  rmdirSync,
  writeFileSync,
  mkdirSync,
  readFileSync,
} from 'node:fs';
import { join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';
const LAB_CGROUP = 'foobar-lab';

/** The hierarchies a process must be placed in: cgroup2 and, on hybrid machines, name=systemd. */
export function cgroupHierarchies(): string[] {
  if (existsSync(join(CGROUP_ROOT, 'cgroup.controllers'))) return [CGROUP_ROOT];
  return [join(CGROUP_ROOT, 'unified'), join(CGROUP_ROOT, 'systemd')].filter((p) =>
    existsSync(join(p, 'cgroup.procs')),
  );
}

/** The host's cgroup folder in each hierarchy. */
export function hostCgroups(lab: string, host: string): string[] {
  return cgroupHierarchies().map((h) => join(h, LAB_CGROUP, lab, host));
}

export function createCgroups(paths: readonly string[]): void {
  for (const path of paths) mkdirSync(path, { recursive: true });
}

/** Whether the kernel can kill a cgroup2 subtree at once (cgroup.kill, Linux 5.14+). */
export function canKillCgroup(path: string): boolean {
  return existsSync(join(path, 'cgroup.kill'));
}

/** Kills every process in a cgroup2 subtree (cgroup.kill, Linux 5.14+); false when unsupported. */
export function killCgroup(path: string): boolean {
  const file = join(path, 'cgroup.kill');
  if (!existsSync(file)) return false;
  try {
    writeFileSync(file, '1');
    return true;
  } catch {
    return false;
  }
}

/** Whether any process is left in the subtree. */
export function cgroupHasProcesses(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    if (readFileSync(join(path, 'cgroup.procs'), 'utf8').trim() !== '') return true;
  } catch {
    return false;
  }
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .some((e) => cgroupHasProcesses(join(path, e.name)));
}

/** Removes a cgroup folder and everything below it, deepest first; false when busy. */
export function removeCgroupTree(path: string): boolean {
  if (!existsSync(path)) return true;
  let ok = true;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) ok = removeCgroupTree(join(path, entry.name)) && ok;
  }
  try {
    rmdirSync(path);
  } catch {
    ok = false;
  }
  return ok;
}

/** Removes `foobar-lab/<lab>` and `foobar-lab` when they became empty. */
export function removeEmptyParents(lab: string): void {
  for (const hierarchy of cgroupHierarchies()) {
    for (const dir of [join(hierarchy, LAB_CGROUP, lab), join(hierarchy, LAB_CGROUP)]) {
      try {
        rmdirSync(dir);
      } catch {
        // not empty or not there
      }
    }
  }
}
