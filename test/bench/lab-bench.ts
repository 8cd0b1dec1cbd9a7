/**
 * Figures that need the lab (root on Linux): `lab up` warm (and cold with
 * --cold), a converged re-run of the engine's test playbook and of the whole
 * site on three hosts, with SSH connections, remote commands and gather time
 * per host read from the transport's own counters (`apply --timings`), and
 * converged re-runs on many light hosts (many-bench.ts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { labDown, labUp, labUnsupportedReason, resetLab } from '../../src/lab';
import {
  BENCH_LAB,
  BIN,
  ROOT,
  assertConverged,
  perHostCounters,
  timedApply,
  type HostTimings,
} from './apply-run';
import { loginFloor, type FloorFigures } from './login-floor';
import { stats, type Stats } from './measure';
import { manyHostFigures, manyHostCounts, type ManyFigures } from './many-bench';
import { uploadFigures, type UploadFigures } from './upload-bench';

export type PerHost = Record<string, Omit<HostTimings, 'factsMs'>>;

export interface LabFigures {
  skipped?: string;
  coldUpMs?: number;
  coldImageBuildMs?: number;
  warmUp?: Stats;
  convergedApply?: Stats;
  perHost?: PerHost;
  site?: {
    coldWallMs: number;
    /** CPU time of the tool's own process: its overhead, all hosts included. */
    coldToolCpuMs: number;
    /** Per host: time in remote changes (packages, database start-up, files, services). */
    coldRemoteMs: Record<string, number>;
    converged: Stats;
    /** The whole machine's CPU time during each converged re-run: the tool's and the hosts'. */
    convergedMachineCpu: Stats;
    /** The same hosts' login floor (login-floor.ts). */
    floor: FloorFigures;
    perHost: PerHost;
    /** The web hosts' gather (`facts=` of `--timings`) over every converged re-run. */
    webFacts: Stats;
    /** Connections sshd logged (Accepted publickey) per host during the re-run of `perHost`. */
    sshdSeen: Record<string, number>;
  };
  upload?: UploadFigures;
  /** Converged re-runs of a files-and-service playbook on many light hosts (50, then 200). */
  many?: ManyFigures[];
}

const quiet = () => undefined;

export async function labFigures(runs: number, cold: boolean): Promise<LabFigures> {
  const unsupported = labUnsupportedReason();
  if (unsupported) return { skipped: unsupported };
  const out: LabFigures = {};
  if (cold) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-bench-cold-'));
    try {
      const r = await labUp({ ...BENCH_LAB, root, progress: quiet });
      out.coldUpMs = r.timings.totalMs;
      out.coldImageBuildMs = r.timings.imageBuildMs;
      await labDown(BENCH_LAB.name, { root, progress: quiet });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  await labUp({ ...BENCH_LAB, progress: quiet }); // builds the cached image if needed
  await labDown(BENCH_LAB.name, { progress: quiet });
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await labUp({ ...BENCH_LAB, progress: quiet });
    warm.push(r.timings.totalMs);
    if (i < runs - 1) await labDown(BENCH_LAB.name, { progress: quiet });
  }
  out.warmUp = stats(warm);
  try {
    const inventory = (await labUp({ ...BENCH_LAB, progress: quiet })).inventoryPath;
    const playbook = path.join(ROOT, 'test', 'fixtures', 'playbooks', 'engine-e2e.yml');
    const apply = () => timedApply(['-i', inventory, playbook]);
    apply(); // the first apply installs and configures
    const samples = Array.from({ length: runs }, apply);
    assertConverged(samples.at(-1)!.stdout);
    out.convergedApply = stats(samples.map((x) => x.ms));
    out.perHost = counters(samples.at(-1)!.stdout);
    out.site = await siteFigures(runs);
    const running = await labUp({ ...BENCH_LAB, progress: quiet });
    out.upload = await uploadFigures(
      {
        address: running.hosts[0]!.address,
        keyPath: running.keyPath,
        knownHostsPath: running.knownHostsPath,
      },
      Math.max(5, runs),
    );
  } finally {
    await labDown(BENCH_LAB.name, { progress: quiet });
  }
  out.many = [];
  for (const hosts of manyHostCounts()) out.many.push(await manyHostFigures(hosts, runs));
  return out;
}

function counters(stdout: string): PerHost {
  return Object.fromEntries(
    Object.entries(perHostCounters(stdout)).map(([h, c]) => [
      h,
      { connections: c.connections, commands: c.commands },
    ]),
  );
}

/** The whole site on bare hosts: a cold apply, then converged re-runs. */
async function siteFigures(runs: number): Promise<NonNullable<LabFigures['site']>> {
  const up = await resetLab(BENCH_LAB.name, { progress: quiet });
  const apply = () => timedApply(['-i', up.inventoryPath]);
  const cold = apply();
  const coldRemoteMs: Record<string, number> = {};
  for (const m of cold.stdout.matchAll(
    /^(\S+) : connect=\d+ facts=\d+ plan=\d+ execute=(\d+) handlers=(\d+)/gm,
  )) {
    coldRemoteMs[m[1]!] = Number(m[2]) + Number(m[3]);
  }
  const samples = Array.from({ length: runs }, apply);
  const floor = loginFloor(up.inventoryPath, up.hosts.length, runs);
  const web = new Set(up.hosts.filter((h) => h.role === 'web').map((h) => h.name));
  const webFacts = samples.flatMap((s) =>
    Object.entries(perHostCounters(s.stdout))
      .filter(([h]) => web.has(h))
      .map(([, c]) => c.factsMs),
  );
  // Cross-check the transport's connection counter once against sshd's own log.
  const since = Math.floor(Date.now() / 1000);
  await new Promise((res) => setTimeout(res, 1100)); // journalctl --since has 1 s resolution
  const checked = apply();
  const sshdSeen: Record<string, number> = {};
  for (const h of up.hosts) {
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'lab',
        'ssh',
        '--name',
        BENCH_LAB.name,
        h.name,
        `sudo journalctl -u ssh --since @${since + 1} -o cat | grep -c '^Accepted publickey' || true`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    // The lab ssh command's own connection comes after the apply's: not counted.
    sshdSeen[h.name] = Math.max(0, Number(r.stdout.trim()) - 1);
  }
  assertConverged(checked.stdout);
  return {
    coldWallMs: cold.ms,
    coldToolCpuMs: cold.cpuMs,
    coldRemoteMs,
    converged: stats(samples.map((x) => x.ms)),
    convergedMachineCpu: stats(samples.map((x) => x.machineCpuMs)),
    floor,
    perHost: counters(checked.stdout),
    webFacts: stats(webFacts),
    sshdSeen,
  };
}
