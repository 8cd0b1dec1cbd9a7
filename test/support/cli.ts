import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
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

/**
 * A copy of the project's playbooks and templates under `parent`, with one
 * template edited; returns the copy's site.yml. Throws when the edit changes
 * nothing, so a test never passes on an edit that silently missed.
 */
export function editedProjectCopy(
  parent: string,
  template: string,
  edit: (text: string) => string,
): string {
  const copy = fs.mkdtempSync(path.join(parent, 'project-'));
  fs.cpSync(path.join(ROOT, 'playbooks'), path.join(copy, 'playbooks'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'templates'), path.join(copy, 'templates'), { recursive: true });
  const file = path.join(copy, 'templates', template);
  const before = fs.readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`the edit of ${template} changed nothing`);
  fs.writeFileSync(file, after);
  return path.join(copy, 'playbooks', 'site.yml');
}

/** Runs the real executable and waits (long runs: a whole site on real hosts). */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { code: number | null; stdout: string; stderr: string; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

/** runCli without blocking the test process: a request loop can run beside it. */
export function runCliAsync(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string; out: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, out: stdout + stderr }));
  });
}

/**
 * A copy of the project's playbooks and templates under `parent/name`, whose
 * code base (playbooks/files/site) has `files` added or changed; returns the
 * copy's site.yml.
 */
export function codeBaseVersion(
  parent: string,
  name: string,
  files: Record<string, string | Buffer>,
): string {
  const copy = path.join(parent, name);
  fs.cpSync(path.join(ROOT, 'playbooks'), path.join(copy, 'playbooks'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'templates'), path.join(copy, 'templates'), { recursive: true });
  for (const [rel, content] of Object.entries(files))
    fs.writeFileSync(path.join(copy, 'playbooks', 'files', 'site', rel), content);
  return path.join(copy, 'playbooks', 'site.yml');
}
