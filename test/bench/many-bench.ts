/**
 * Converged re-runs of a light playbook (a folder, two small files, a service:
 * test/fixtures/playbooks/bench-light.yml) on many lab hosts, with --forks as
 * many as there are hosts. FOOBAR_BENCH_HOSTS gives the host counts, comma
 * separated (default 50,200). A lab that cannot boot is a figure's failure,
 * printed with its reason, never a made-up figure.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { labDown, labStatus, labUp } from '../../src/lab';
import { MANY_LAB, ROOT, assertConverged, perHostCounters, timedApply } from './apply-run';
import { loginFloor, type FloorFigures } from './login-floor';
import { stats, type Stats } from './measure';

export interface ManyFigures {
  hosts: number;
  /** Why the figure could not be measured (the lab did not boot, for example). */
  failed?: string;
  upMs?: number;
  converged?: Stats;
  cpuMs?: Stats;
  peakRssMb?: Stats;
  /** The whole machine's CPU time during each re-run: the tool's and the hosts'. */
  machineCpuMs?: Stats;
  /** The same hosts' login floor (login-floor.ts). */
  floor?: FloorFigures;
  /** The most connections and commands any one host saw in the last re-run. */
  maxConnections?: number;
  maxCommands?: number;
}

/** Targets per host count: converged wall time (scaled by --version) and peak RSS. */
export const MANY_TARGETS: Record<number, { ms: number; rssMb: number }> = {
  50: { ms: 1500, rssMb: 150 },
  200: { ms: 3000, rssMb: 200 },
};

export function manyHostCounts(): number[] {
  const raw = process.env.FOOBAR_BENCH_HOSTS ?? '50,200';
  return raw
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

const quiet = () => undefined;

class ApplyFailed extends Error {}

/** `184 of 200 hosts unreachable, e.g. web-06: authenticate: ... within 10 s` */
export function unreachableSummary(stdout: string, hosts: number): string {
  const lines = [...stdout.matchAll(/^(unreachable|failed): \[([^\]]+)\] ?(.*)$/gm)];
  if (lines.length === 0) return `the apply failed:\n${stdout.split('\n').slice(-6).join('\n')}`;
  const first = lines[0]!;
  return `the apply failed: ${lines.length} of ${hosts} hosts ${first[1]}, e.g. ${first[2]}: ${first[3]}`;
}

export async function manyHostFigures(hosts: number, runs: number): Promise<ManyFigures> {
  // A lab left with another host count: `lab up` refuses a different host list.
  const status = await labStatus(MANY_LAB.name).catch(() => undefined);
  if (status && status.state !== 'absent' && status.hosts.length !== hosts)
    await labDown(MANY_LAB.name, { progress: quiet });
  const started = process.hrtime.bigint();
  try {
    let up;
    try {
      up = await labUp({ ...MANY_LAB, hosts, progress: quiet, bootTimeoutMs: 10 * 60_000 });
    } catch (error) {
      const free = (os.freemem() / 2 ** 30).toFixed(1);
      return {
        hosts,
        failed: `the lab could not boot ${hosts} hosts (${os.cpus().length} cores, ${free} GiB free): ${error instanceof Error ? error.message.split('\n').slice(0, 4).join(' / ') : String(error)}`,
      };
    }
    const upMs = Number(process.hrtime.bigint() - started) / 1e6;
    const playbook = path.join(ROOT, 'test', 'fixtures', 'playbooks', 'bench-light.yml');
    const apply = () => {
      const r = timedApply(['--forks', String(hosts), '-i', up.inventoryPath, playbook], {
        allowFailure: true,
      });
      if (r.ms < 0) throw new ApplyFailed(unreachableSummary(r.stdout, hosts));
      return r;
    };
    let samples;
    try {
      apply(); // the first run makes the files
      samples = Array.from({ length: runs }, apply);
    } catch (error) {
      if (!(error instanceof ApplyFailed)) throw error;
      return { hosts, upMs, failed: error.message };
    }
    assertConverged(samples.at(-1)!.stdout);
    const floor = loginFloor(up.inventoryPath, hosts, runs);
    const counters = Object.values(perHostCounters(samples.at(-1)!.stdout));
    return {
      hosts,
      upMs,
      converged: stats(samples.map((x) => x.ms)),
      cpuMs: stats(samples.map((x) => x.cpuMs)),
      peakRssMb: stats(samples.map((x) => x.rssMb)),
      machineCpuMs: stats(samples.map((x) => x.machineCpuMs)),
      floor,
      maxConnections: Math.max(...counters.map((c) => c.connections)),
      maxCommands: Math.max(...counters.map((c) => c.commands)),
    };
  } finally {
    await labDown(MANY_LAB.name, { progress: quiet });
  }
}
