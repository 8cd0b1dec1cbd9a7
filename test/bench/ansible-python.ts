/**
 * Ansible runs its modules with Python on the managed host; the lab's hosts
 * have none (foobar-infra needs none). For the comparison, the benchmark
 * gathers Debian's python3 and python3-apt (for Ansible's apt module) once per
 * lab image, in a scratch chroot of the image as the lab's own repository build
 * does, caches the .debs under <lab root>/cache/bench-ansible/<image>/, and
 * installs them on the hosts before any measured run, then fetches the
 * package lists from the lab's repository (`apt-get update`), as any host
 * managed with Ansible has them. The lab itself is not changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withScratchChroot } from '../../src/lab/chroot';
import { labExec, labRoot, type LabInfo } from '../../src/lab';

const PACKAGES = ['python3', 'python3-apt'];
const INSIDE = '/var/cache/foobar-bench-debs';

/** The cached .debs for the lab's image, gathered on first use. */
export async function pythonDebs(lab: LabInfo, progress: (line: string) => void): Promise<string> {
  const root = labRoot();
  const dir = path.join(root, 'cache', 'bench-ansible', lab.imageId);
  if (fs.existsSync(path.join(dir, 'done'))) return dir;
  const temp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(temp, { recursive: true, force: true });
  const debs = path.join(temp, 'debs');
  fs.mkdirSync(debs, { recursive: true });
  progress(`gathering ${PACKAGES.join(', ')} for image ${lab.imageId} (once)`);
  const step = 'gather python for the Ansible comparison';
  const apt = ['apt-get', '-q', '-o', 'Acquire::Check-Valid-Until=false'];
  await withScratchChroot(
    step,
    path.join(root, 'images', lab.imageId, 'rootfs'),
    path.join(temp, 'scratch'),
    async (chroot) => {
      await chroot.bind(step, debs, INSIDE);
      await chroot.run(step, [...apt, 'update'], { timeoutMs: 600_000 });
      await chroot.run(
        step,
        [...apt, '-y', '-o', `Dir::Cache::archives=${INSIDE}`, 'install', '--download-only'].concat(
          PACKAGES,
        ),
        { timeoutMs: 600_000 },
      );
    },
  );
  fs.rmSync(path.join(debs, 'partial'), { recursive: true, force: true });
  fs.rmSync(path.join(debs, 'lock'), { force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(debs, dir);
  fs.writeFileSync(path.join(dir, 'done'), `${PACKAGES.join(' ')}\n`);
  fs.rmSync(temp, { recursive: true, force: true });
  return dir;
}

/** Installs the cached python .debs on every host of a running lab (once per boot). */
export async function installPython(lab: LabInfo, progress: (line: string) => void): Promise<void> {
  const dir = await pythonDebs(lab, progress);
  const debs = fs.readdirSync(dir).filter((f) => f.endsWith('.deb'));
  await Promise.all(
    lab.hosts.map(async (h) => {
      const check = await labExec(lab.name, h.name, 'python3 -c "import apt" 2>/dev/null');
      if (check.code === 0) return;
      // The host's root is an overlay mounted on this machine: put the .debs there;
      // apt-get (not dpkg -i) orders their pre-dependencies.
      const target = path.join(h.rootPath, 'var', 'tmp', 'foobar-bench-debs');
      fs.mkdirSync(target, { recursive: true });
      for (const d of debs) fs.copyFileSync(path.join(dir, d), path.join(target, d));
      const r = await labExec(
        lab.name,
        h.name,
        'sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /var/tmp/foobar-bench-debs/*.deb >/dev/null && sudo rm -rf /var/tmp/foobar-bench-debs && sudo apt-get update -q >/dev/null',
        { timeoutMs: 300_000 },
      );
      if (r.code !== 0) throw new Error(`installing python on ${h.name} failed:\n${r.stderr}`);
    }),
  );
}
