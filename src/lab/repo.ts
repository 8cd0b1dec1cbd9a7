/**
 * The local apt repository of a flavour: exactly the .debs the hosts need to
 * install the stack (and their dependencies), resolved against the image in a
 * scratch chroot, indexed with dpkg-scanpackages, cached under
 * repos/<flavour>-<recipe hash>. Hosts mount it read-only as their only source.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../core/errors';
import { withScratchChroot } from './chroot';
import { runOk } from './exec';
import type { FlavorSpec } from './flavors';
import type { ImageInfo } from './image';
import { ensureDir, writeFileAtomic } from './local-files';
import { withLock } from './lock';
import type { Progress } from './machine';
import { removeTree } from './mounts';
import { cachePaths } from './paths';
import { repoId, repoRecipe } from './recipe';
import { packageNames, renderRelease } from './repo-index';

export interface RepoInfo {
  id: string;
  /** The folder with the .debs, Packages and Release. */
  path: string;
  built: boolean;
  buildMs?: number;
}

const RECIPE_FILE = 'recipe.json';
const BUILD_TIMEOUT_MS = 30 * 60_000;
/** Where the repository folder is bound inside the scratch chroot. */
const CHROOT_ARCHIVES = '/var/cache/foobar-lab-debs';

function cachedRepo(root: string, id: string): RepoInfo | undefined {
  const path = join(cachePaths(root).repos, id);
  if (!existsSync(join(path, RECIPE_FILE)) || !existsSync(join(path, 'Packages'))) return undefined;
  return { id, path, built: false };
}

export async function ensureRepo(
  root: string,
  flavor: FlavorSpec,
  image: ImageInfo,
  progress: Progress,
): Promise<RepoInfo> {
  const recipe = repoRecipe(flavor, image.id);
  const id = repoId(recipe);
  const cached = cachedRepo(root, id);
  if (cached) return cached;
  const reposDir = cachePaths(root).repos;
  ensureDir(reposDir);
  return withLock(
    join(reposDir, `.${id}.lock`),
    `package repository ${id}`,
    async () => {
      const again = cachedRepo(root, id);
      if (again) return again;
      for (const entry of readdirSync(reposDir)) {
        if (entry.startsWith(`.tmp-${id}-`))
          await removeTree('clean stale repository build', join(reposDir, entry));
      }
      const started = Date.now();
      const temp = join(reposDir, `.tmp-${id}-${process.pid}`);
      const debs = join(temp, 'repo');
      ensureDir(debs);
      const step = `build package repository ${id}`;
      progress(`building package repository ${id}: ${recipe.packages.join(', ')} (once)`);
      try {
        await withScratchChroot(step, image.rootfs, join(temp, 'scratch'), async (chroot) => {
          await chroot.bind(step, debs, CHROOT_ARCHIVES);
          // Snapshot mirrors and skewed clocks make Release files look expired;
          // signatures are still checked.
          const apt = ['apt-get', '-q', '-o', 'Acquire::Check-Valid-Until=false'];
          await chroot.run(step, [...apt, 'update'], { timeoutMs: BUILD_TIMEOUT_MS });
          await chroot.run(
            step,
            [
              ...apt,
              '-y',
              '-o',
              `Dir::Cache::archives=${CHROOT_ARCHIVES}`,
              'install',
              '--download-only',
              ...recipe.packages,
            ],
            { timeoutMs: BUILD_TIMEOUT_MS },
          );
        });
        rmSync(join(debs, 'partial'), { recursive: true, force: true });
        rmSync(join(debs, 'lock'), { force: true });
        const count = readdirSync(debs).filter((f) => f.endsWith('.deb')).length;
        if (count === 0) throw new EnvironmentError('apt-get downloaded no packages', step);
        const scan = await runOk(step, 'dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], {
          cwd: debs,
        });
        writeFileSync(join(debs, 'Packages'), scan.stdout);
        writeFileSync(
          join(debs, 'Release'),
          renderRelease(scan.stdout, `foobar-infra lab ${flavor.flavor}`, new Date()),
        );
        writeFileAtomic(
          join(debs, RECIPE_FILE),
          `${JSON.stringify({ id, recipe, packages: packageNames(scan.stdout), builtAt: new Date().toISOString() }, null, 2)}\n`,
        );
        renameSync(debs, join(reposDir, id));
        await removeTree(step, temp);
      } catch (error) {
        await removeTree('clean failed repository build', temp).catch(() => undefined);
        throw error;
      }
      const buildMs = Date.now() - started;
      const packages = packageNames(readFileSync(join(reposDir, id, 'Packages'), 'utf8'));
      progress(
        `package repository ${id}: ${packages.length} packages in ${(buildMs / 1000).toFixed(1)} s`,
      );
      return { id, path: join(reposDir, id), built: true, buildMs };
    },
    { waitMs: BUILD_TIMEOUT_MS, onWait: progress },
  );
}
