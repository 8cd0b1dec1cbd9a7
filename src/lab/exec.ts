/** Running local commands for the lab, with their output captured. */
import { spawn } from 'node:child_process';
import { EnvironmentError } from '../core/errors';

export interface RunOptions {
  cwd?: string;
  /** Added to (not replacing) the environment. */
  env?: Record<string, string>;
  input?: string;
  /** Kill the command (SIGKILL) after this long. */
  timeoutMs?: number;
  /** Called with each complete line of output (stdout and stderr). */
  onLine?: (line: string) => void;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Output kept per stream: the tail is what explains a failure. */
const MAX_CAPTURE = 256 * 1024;

function keepTail(text: string): string {
  return text.length > MAX_CAPTURE ? text.slice(text.length - MAX_CAPTURE) : text;
}

/** Runs a command; never throws for a non-zero exit (only when it cannot start). */
export function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, LC_ALL: 'C', ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    let timedOut = false;
    const lines = (chunk: string) => {
      if (!options.onLine) return;
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) options.onLine(part);
    };
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout = keepTail(stdout + chunk);
      lines(chunk);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = keepTail(stderr + chunk);
      lines(chunk);
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (pending && options.onLine) options.onLine(pending);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
    if (options.input !== undefined && child.stdin) child.stdin.end(options.input);
  });
}

/** The last lines of a command's output, for error messages. */
export function outputTail(result: Pick<RunResult, 'stdout' | 'stderr'>, lines = 15): string {
  const text = `${result.stdout}\n${result.stderr}`.trim().split('\n');
  return text.slice(-lines).join('\n');
}

export function describeCommand(command: string, args: readonly string[]): string {
  return [command, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(' ');
}

/** Runs a command and throws an EnvironmentError naming `step` when it fails. */
export async function runOk(
  step: string,
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  let result: RunResult;
  try {
    result = await run(command, args, options);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new EnvironmentError(`cannot run ${command}: ${detail}`, step);
  }
  if (result.code !== 0) {
    const why = result.timedOut
      ? `timed out after ${Math.round((options.timeoutMs ?? 0) / 1000)} s`
      : `exited with ${result.code ?? result.signal}`;
    const tail = outputTail(result);
    throw new EnvironmentError(
      `${describeCommand(command, args)} ${why}${tail ? `:\n${tail}` : ''}`,
      step,
    );
  }
  return result;
}
