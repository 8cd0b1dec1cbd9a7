import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { memoryIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const BIN = path.join(ROOT, 'bin', 'foobar-infra.js');
export const fixture = (...parts: string[]) => path.join(ROOT, 'test', 'fixtures', ...parts);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process (fast), from the project root. */
export async function cli(...args: string[]): Promise<CliResult> {
  const io = memoryIo();
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const code = await main(['node', 'foobar-infra', ...args], io);
    return { code, stdout: io.stdout, stderr: io.stderr };
  } finally {
    process.chdir(cwd);
  }
}

/** Runs the real executable in a child process. */
export function cliProcess(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
