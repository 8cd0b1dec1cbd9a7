/**
 * Running commands in a chroot of an image without changing the image: a
 * throw-away overlay on top of it, with /proc bind-mounted and a policy-rc.d
 * that keeps services from starting.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runOk, type RunOptions, type RunResult } from './exec';
import { renderPolicyRcD } from './host-files';
import { bindMount, mountOverlay, removeTree, unmountAllBelow } from './mounts';
import { makeDirInRoot, writeInRoot } from './root-files';

export interface ScratchChroot {
  root: string;
  run(step: string, argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Binds a machine folder into the chroot at `inside` (read-write). */
  bind(step: string, source: string, inside: string): Promise<void>;
}

/** Environment for commands in a chroot: a clean PATH and no prompts. */
export const CHROOT_ENV: Record<string, string> = {
  PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
  DEBIAN_FRONTEND: 'noninteractive',
  LC_ALL: 'C',
  HOME: '/root',
};

/**
 * Runs `fn` with a scratch chroot of `image` in `scratchDir`; everything is
 * unmounted and removed afterwards, also when `fn` fails.
 */
export async function withScratchChroot<T>(
  step: string,
  image: string,
  scratchDir: string,
  fn: (chroot: ScratchChroot) => Promise<T>,
): Promise<T> {
  const upper = join(scratchDir, 'upper');
  const work = join(scratchDir, 'work');
  const root = join(scratchDir, 'root');
  for (const dir of [upper, work, root]) mkdirSync(dir, { recursive: true });
  try {
    await mountOverlay(step, image, upper, work, root);
    await makeDirInRoot(step, root, '/proc');
    await bindMount(step, '/proc', join(root, 'proc'));
    await writeInRoot(step, root, '/usr/sbin/policy-rc.d', renderPolicyRcD(), { mode: 0o755 });
    if (existsSync('/etc/resolv.conf')) {
      await writeInRoot(step, root, '/etc/resolv.conf', '');
      copyFileSync('/etc/resolv.conf', join(root, 'etc', 'resolv.conf'));
    }
    return await fn({
      root,
      run: (s, argv, options = {}) =>
        runOk(s, 'chroot', [root, ...argv], { ...options, env: { ...CHROOT_ENV, ...options.env } }),
      bind: async (s, source, inside) => {
        await makeDirInRoot(s, root, inside);
        await bindMount(s, source, join(root, inside));
      },
    });
  } finally {
    await unmountAllBelow(step, root);
    await removeTree(step, scratchDir);
  }
}
