/**
 * The base image of a flavour: Debian minbase with systemd and sshd, built once
 * with debootstrap and cached under images/<suite>-<recipe hash>. It is built
 * in a temporary folder and renamed into place only when complete.
 */
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { FlavorSpec } from './flavors';
import { renderSshdConfig, renderSudoers } from './host-files';
import { runOk } from './exec';
import { writeFileAtomic, ensureDir } from './local-files';
import { withLock } from './lock';
import type { Progress } from './machine';
import { removeTree } from './mounts';
import { cachePaths } from './paths';
import { imageId, imageRecipe, type ImageRecipe } from './recipe';
import { removeInRoot, writeInRoot } from './root-files';

export interface ImageInfo {
  id: string;
  suite: string;
  /** The root file system: the lower layer of every host. */
  rootfs: string;
  /** Whether this call built it. */
  built: boolean;
  buildMs?: number;
}

const RECIPE_FILE = 'recipe.json';
const BUILD_TIMEOUT_MS = 30 * 60_000;

export function imageDir(root: string, id: string): string {
  return join(cachePaths(root).images, id);
}

function cachedImage(root: string, id: string, suite: string): ImageInfo | undefined {
  const dir = imageDir(root, id);
  if (!existsSync(join(dir, RECIPE_FILE)) || !existsSync(join(dir, 'rootfs', 'usr')))
    return undefined;
  return { id, suite, rootfs: join(dir, 'rootfs'), built: false };
}

/** Removes temporary build folders left by an interrupted build of this image. */
async function removeStaleBuilds(imagesDir: string, id: string): Promise<void> {
  for (const entry of readdirSync(imagesDir)) {
    if (entry.startsWith(`.tmp-${id}-`))
      await removeTree('clean stale image build', join(imagesDir, entry));
  }
}

/** What makes a debootstrapped tree a lab image. */
async function customise(rootfs: string, recipe: ImageRecipe): Promise<void> {
  const step = 'customise image';
  const chroot = (argv: string[]) =>
    runOk(step, 'chroot', [rootfs, ...argv], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  await chroot([
    'useradd',
    '--create-home',
    '--shell',
    '/bin/bash',
    '--user-group',
    recipe.deployUser,
  ]);
  // '*': no password can log in, but the account is not "locked", so key logins work.
  await chroot(['usermod', '--password', '*', recipe.deployUser]);
  await writeInRoot(
    step,
    rootfs,
    `/etc/sudoers.d/foobar-lab-${recipe.deployUser}`,
    renderSudoers(),
    {
      mode: 0o440,
    },
  );
  await writeInRoot(step, rootfs, '/etc/ssh/sshd_config.d/foobar-lab.conf', renderSshdConfig());
  // Every host gets its own identity before its first boot: no host keys,
  // machine id or database UUID may be shared through the image.
  const sshDir = join(rootfs, 'etc', 'ssh');
  const hostKeys = readdirSync(sshDir).filter((f) => f.startsWith('ssh_host_'));
  await removeInRoot(step, rootfs, [
    ...hostKeys.map((f) => `/etc/ssh/${f}`),
    '/var/lib/dbus/machine-id',
    '/var/lib/mysql/auto.cnf',
  ]);
  await writeInRoot(step, rootfs, '/etc/machine-id', '', { mode: 0o444 });
  // No package lists or downloaded packages in the image.
  await chroot(['apt-get', 'clean']);
  const lists = join(rootfs, 'var', 'lib', 'apt', 'lists');
  await removeInRoot(
    step,
    rootfs,
    readdirSync(lists)
      .filter((f) => f !== 'partial' && f !== 'lock')
      .map((f) => `/var/lib/apt/lists/${f}`),
  );
}

/** The image of a flavour, built when missing (or when its recipe changed). */
export async function ensureImage(
  root: string,
  flavor: FlavorSpec,
  mirror: string,
  progress: Progress,
): Promise<ImageInfo> {
  const recipe = imageRecipe(flavor);
  const id = imageId(recipe);
  const cached = cachedImage(root, id, recipe.suite);
  if (cached) return cached;
  const imagesDir = cachePaths(root).images;
  ensureDir(imagesDir);
  return withLock(
    join(imagesDir, `.${id}.lock`),
    `image ${id}`,
    async () => {
      const again = cachedImage(root, id, recipe.suite);
      if (again) return again;
      await removeStaleBuilds(imagesDir, id);
      const started = Date.now();
      const temp = join(imagesDir, `.tmp-${id}-${process.pid}`);
      const rootfs = join(temp, 'rootfs');
      ensureDir(rootfs);
      const cacheDir = join(cachePaths(root).debootstrapCache, recipe.suite);
      ensureDir(cacheDir);
      progress(
        `building image ${id}: debootstrap ${recipe.suite} from ${mirror} (once; about a minute)`,
      );
      try {
        await runOk(
          `build image ${id} (debootstrap)`,
          'debootstrap',
          [
            `--variant=${recipe.variant}`,
            `--include=${recipe.packages.join(',')}`,
            '--components=main',
            `--cache-dir=${cacheDir}`,
            recipe.suite,
            rootfs,
            mirror,
          ],
          { timeoutMs: BUILD_TIMEOUT_MS },
        );
        await customise(rootfs, recipe);
        writeFileAtomic(
          join(temp, RECIPE_FILE),
          `${JSON.stringify({ id, mirror, recipe, builtAt: new Date().toISOString() }, null, 2)}\n`,
        );
        renameSync(temp, imageDir(root, id));
      } catch (error) {
        await removeTree('clean failed image build', temp).catch(() => undefined);
        throw error;
      }
      const buildMs = Date.now() - started;
      progress(`image ${id} built in ${(buildMs / 1000).toFixed(1)} s`);
      return {
        id,
        suite: recipe.suite,
        rootfs: join(imageDir(root, id), 'rootfs'),
        built: true,
        buildMs,
      };
    },
    { waitMs: BUILD_TIMEOUT_MS, onWait: progress },
  );
}
