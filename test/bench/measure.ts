import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Sample {
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
  code: number;
}

export interface Figure {
  name: string;
  runs: number;
  wall: Stats;
  cpu: Stats;
  rssMb: Stats;
}

export interface Stats {
  median: number;
  min: number;
  max: number;
}

/**
 * CPU time of every process on the machine so far, in ms (user, nice, system,
 * irq, softirq and steal of /proc/stat; USER_HZ is 100 on Linux). On the lab
 * the hosts run on the same machine: the difference over a run is the tool's
 * CPU plus that of the hosts' sshd, sudo, scripts and servers.
 */
export function machineCpuMs(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
  const [user, nice, system, , , irq, softirq, steal] = f.map(Number);
  return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / 100;
}

export function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Runs a node script as a fresh process and measures wall time, CPU and peak RSS. */
export function measureNode(args: string[], cwd: string): Sample {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-bench-')), 'usage.json');
  const start = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    ['-r', path.join(__dirname, '..', '..', '..', 'test', 'bench', 'measure-hook.js'), ...args],
    {
      cwd,
      env: { ...process.env, FOOBAR_BENCH_OUT: out },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const usage = JSON.parse(fs.readFileSync(out, 'utf8')) as { cpuMs: number; maxRssKb: number };
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return { wallMs, cpuMs: usage.cpuMs, maxRssMb: usage.maxRssKb / 1024, code: r.status ?? -1 };
}

export function repeat(name: string, runs: number, once: () => Sample): Figure {
  once(); // warm the file cache
  const samples = Array.from({ length: runs }, once);
  const failed = samples.find((s) => s.code !== 0);
  if (failed) throw new Error(`${name}: exited ${failed.code}`);
  return {
    name,
    runs,
    wall: stats(samples.map((s) => s.wallMs)),
    cpu: stats(samples.map((s) => s.cpuMs)),
    rssMb: stats(samples.map((s) => s.maxRssMb)),
  };
}

export function formatFigure(f: Figure, target?: string): string {
  const s = (x: Stats, unit: string, digits = 0) =>
    `${x.median.toFixed(digits)}${unit} (min ${x.min.toFixed(digits)}, max ${x.max.toFixed(digits)})`;
  return `${f.name.padEnd(34)} wall ${s(f.wall, ' ms')}  cpu ${s(f.cpu, ' ms')}  rss ${s(f.rssMb, ' MB', 1)}${target ? `  target ${target}` : ''}`;
}
