import { spawnSync } from 'node:child_process';

/**
 * A test that needs something of the machine: in CI (CI=true) a missing
 * requirement fails the test; elsewhere the suite skips with one clear line.
 */
export function requireOrSkip(ctx: Mocha.Context, ok: boolean, why: string): void {
  if (ok) return;
  if (process.env.CI === 'true') throw new Error(`cannot run in CI: ${why}`);
  process.stderr.write(`  skipped: ${why}\n`);
  ctx.skip();
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * A command from a Debian package, installed with apt-get when it is missing
 * (as root): a fresh machine runs the tests that need it instead of skipping.
 */
export function ensureCommand(name: string, pkg: string): { ok: boolean; why: string } {
  if (hasCommand(name)) return { ok: true, why: '' };
  if (process.getuid?.() !== 0 || !hasCommand('apt-get'))
    return {
      ok: false,
      why: `${name} is missing (Debian package ${pkg}); installing it needs root and apt-get`,
    };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', pkg], {
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 10 * 60_000,
    });
  let r = install();
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore', timeout: 10 * 60_000 });
    r = install();
  }
  if (hasCommand(name)) return { ok: true, why: '' };
  return {
    ok: false,
    why: `cannot install ${pkg}: ${`${r.stdout}${r.stderr}`.trim().split('\n').pop()}`,
  };
}
