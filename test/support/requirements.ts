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
