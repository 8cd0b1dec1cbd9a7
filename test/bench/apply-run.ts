/**
 * One `foobar-infra apply --timings` in a fresh, measured process, and what
 * its output says: the PLAY RECAP and the per-host `--timings` lines.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { machineCpuMs } from './measure';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const BIN = path.join(ROOT, 'bin', 'foobar-infra.js');

export interface ApplyRun {
  ms: number;
  cpuMs: number;
  /** CPU time of the whole machine during the run: the tool's and, on the lab, the hosts'. */
  machineCpuMs: number;
  rssMb: number;
  stdout: string;
}

/** The lab names and subnets the benchmark may use (and no others). */
export const BENCH_LAB = { name: 'bench', subnet: '10.231.110.0/24' };
export const MANY_LAB = { name: 'bench-many', subnet: '10.231.111.0/24' };

/** Wall and CPU time and peak RSS of `foobar-infra apply --timings ARGS`; throws when it fails. */
export function timedApply(args: string[], options: { allowFailure?: boolean } = {}): ApplyRun {
  const usage = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-bench-apply-')), 'u.json');
  try {
    const cpu0 = machineCpuMs();
    const start = process.hrtime.bigint();
    const r = spawnSync(
      process.execPath,
      [
        '-r',
        path.join(ROOT, 'test', 'bench', 'measure-hook.js'),
        BIN,
        'apply',
        '--timings',
        ...args,
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, FOOBAR_BENCH_OUT: usage, NO_COLOR: '1' },
      },
    );
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const machine = machineCpuMs() - cpu0;
    if (r.status !== 0 && !options.allowFailure)
      throw new Error(`apply ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
    const u = JSON.parse(fs.readFileSync(usage, 'utf8')) as { cpuMs: number; maxRssKb: number };
    return {
      ms: r.status === 0 ? ms : -1,
      cpuMs: u.cpuMs,
      machineCpuMs: machine,
      rssMb: u.maxRssKb / 1024,
      stdout: `${r.stdout}${r.status === 0 ? '' : r.stderr}`,
    };
  } finally {
    fs.rmSync(path.dirname(usage), { recursive: true, force: true });
  }
}

export interface HostTimings {
  connections: number;
  commands: number;
  factsMs: number;
}

/** Per host, SSH connections, remote commands and gather time, from the `--timings` lines. */
export function perHostCounters(stdout: string): Record<string, HostTimings> {
  const out: Record<string, HostTimings> = {};
  for (const m of stdout.matchAll(
    /^(\S+) : connect=\d+ facts=(\d+) .* ssh_connections=(\d+) remote_commands=(\d+)$/gm,
  ))
    out[m[1]!] = { factsMs: Number(m[2]), connections: Number(m[3]), commands: Number(m[4]) };
  return out;
}

/** Hosts whose PLAY RECAP line reports changes (either tool's recap). */
export function changedHosts(stdout: string): string[] {
  return [...stdout.matchAll(/^(\S+)\s+:\s+ok=\d+\s+changed=([1-9]\d*)/gm)].map(
    (m) => `${m[1]!} changed=${m[2]!}`,
  );
}

export function assertConverged(stdout: string): void {
  if (changedHosts(stdout).length > 0) throw new Error(`the re-run was not converged:\n${stdout}`);
}
