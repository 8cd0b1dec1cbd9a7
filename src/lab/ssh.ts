/** Running commands on lab hosts with the OpenSSH client. */
import { spawn } from 'node:child_process';
import { run } from './exec';
import { sshArgs, type SshArgOptions, type SshTarget } from './ssh-args';

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** ssh's own exit code for "could not connect or authenticate". */
export const SSH_CONNECTION_FAILED = 255;

/** Runs `command` (a shell command line, or argv joined by the remote shell) on a host. */
export async function sshRun(
  target: SshTarget,
  command: string | readonly string[],
  options: SshArgOptions & { timeoutMs?: number; input?: string } = {},
): Promise<SshResult> {
  const argv = typeof command === 'string' ? [command] : command;
  const result = await run('ssh', sshArgs(target, argv, options), {
    timeoutMs: options.timeoutMs,
    input: options.input,
  });
  return {
    code: result.code ?? SSH_CONNECTION_FAILED,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

/** Runs ssh attached to this terminal (for `lab ssh`); resolves to ssh's exit code. */
export function sshInteractive(
  target: SshTarget,
  command: readonly string[],
  options: SshArgOptions = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', sshArgs(target, command, options), { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve(code ?? (signal ? 128 + 1 : SSH_CONNECTION_FAILED)),
    );
  });
}
