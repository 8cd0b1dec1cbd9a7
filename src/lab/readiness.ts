/** Waiting until a booted host's systemd says the system is up, over SSH. */
import { readFileSync } from 'node:fs';
import { EnvironmentError } from '../core/errors';
import { sleep } from './processes';
import { SSH_CONNECTION_FAILED, sshRun } from './ssh';
import type { SshTarget } from './ssh-args';

export interface Readiness {
  host: string;
  state: 'running' | 'degraded';
  /** Units that failed, when degraded. */
  failedUnits: string[];
  ms: number;
}

export interface WaitInput {
  host: string;
  target: SshTarget;
  timeoutMs: number;
  /** False once the host's systemd-nspawn process has exited. */
  isAlive: () => boolean;
  logPath: string;
}

/** Terminal escape sequences (colours, titles) in the console log. */
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|.)/g;

function logTail(path: string, lines = 20): string {
  try {
    const text = readFileSync(path, 'utf8').replace(ESCAPES, '');
    return text.trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Polls `systemctl is-system-running --wait` over SSH until it answers
 * `running` or `degraded` (then names the failed units). Throws an error
 * naming the host when the process dies or the time runs out.
 */
export async function waitUntilRunning(input: WaitInput): Promise<Readiness> {
  const started = Date.now();
  const deadline = started + input.timeoutMs;
  const step = `boot ${input.host}`;
  let last = '';
  while (Date.now() < deadline) {
    if (!input.isAlive()) {
      throw new EnvironmentError(
        `${input.host}: systemd-nspawn exited during boot. Last lines of ${input.logPath}:\n${logTail(input.logPath)}`,
        step,
      );
    }
    const left = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
    const result = await sshRun(
      input.target,
      `timeout ${left} systemctl is-system-running --wait`,
      {
        connectTimeoutSec: 2,
        timeoutMs: (left + 5) * 1000,
      },
    );
    const answer = result.stdout.trim().split('\n').pop() ?? '';
    if (answer === 'running')
      return { host: input.host, state: 'running', failedUnits: [], ms: Date.now() - started };
    if (answer === 'degraded') {
      const failed = await sshRun(
        input.target,
        'systemctl --failed --plain --no-legend --no-pager',
        {
          connectTimeoutSec: 2,
          timeoutMs: 10_000,
        },
      );
      const units = failed.stdout
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[0])
        .filter((u) => u && u !== '●');
      return { host: input.host, state: 'degraded', failedUnits: units, ms: Date.now() - started };
    }
    last =
      result.code === SSH_CONNECTION_FAILED ? result.stderr.trim() : answer || result.stderr.trim();
    await sleep(result.code === SSH_CONNECTION_FAILED ? 150 : 500);
  }
  throw new EnvironmentError(
    `${input.host} (${input.target.address}) did not finish booting within ${Math.round(input.timeoutMs / 1000)} s` +
      `${last ? ` (last answer: ${last})` : ''}. Last lines of ${input.logPath}:\n${logTail(input.logPath)}`,
    step,
  );
}
