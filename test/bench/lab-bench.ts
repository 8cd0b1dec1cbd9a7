/**
 * Figures that need the lab (root on Linux): `lab up` warm (and cold with
 * --cold), and a converged re-run of the engine's test playbook on three hosts
 * with its SSH connections and remote commands per host, read from the
 * transport's own counters (`apply --timings`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { labDown, labUp, labUnsupportedReason } from '../../src/lab';
import { stats, type Stats } from './measure';
import { uploadFigures, type UploadFigures } from './upload-bench';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'foobar-infra.js');
const LAB = { name: 'bench', subnet: '10.231.110.0/24' };

export interface LabFigures {
  skipped?: string;
  coldUpMs?: number;
  coldImageBuildMs?: number;
  warmUp?: Stats;
  convergedApply?: Stats;
  perHost?: Record<string, { connections: number; commands: number }>;
  site?: {
    coldWallMs: number;
    /** CPU time of the tool's own process: its overhead, all hosts included. */
    coldToolCpuMs: number;
    /** Per host: time in remote changes (packages, database start-up, files, services). */
    coldRemoteMs: Record<string, number>;
    converged: Stats;
    perHost: Record<string, { connections: number; commands: number }>;
    /** Connections sshd logged (Accepted publickey) per host during the re-run of `perHost`. */
    sshdSeen: Record<string, number>;
  };
  upload?: UploadFigures;
  /** A converged re-run of a files-and-service playbook on many light hosts. */
  many?: {
    hosts: number;
    upMs: number;
    converged: Stats;
    cpuMs: Stats;
    peakRssMb: Stats;
    /** The most connections and commands any one host saw in the last re-run. */
    maxConnections: number;
    maxCommands: number;
  };
}

const MANY = { name: 'bench-many', subnet: '10.231.111.0/24', hosts: 50 };

export async function labFigures(runs: number, cold: boolean): Promise<LabFigures> {
  const unsupported = labUnsupportedReason();
  if (unsupported) return { skipped: unsupported };
  const out: LabFigures = {};
  const quiet = () => undefined;
  if (cold) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-bench-cold-'));
    try {
      const r = await labUp({ ...LAB, root, progress: quiet });
      out.coldUpMs = r.timings.totalMs;
      out.coldImageBuildMs = r.timings.imageBuildMs;
      await labDown(LAB.name, { root, progress: quiet });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  await labUp({ ...LAB, progress: quiet }); // builds the cached image if needed
  await labDown(LAB.name, { progress: quiet });
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await labUp({ ...LAB, progress: quiet });
    warm.push(r.timings.totalMs);
    if (i < runs - 1) await labDown(LAB.name, { progress: quiet });
  }
  out.warmUp = stats(warm);
  try {
    const inventory = (await labUp({ ...LAB, progress: quiet })).inventoryPath;
    const playbook = path.join(ROOT, 'test', 'fixtures', 'playbooks', 'engine-e2e.yml');
    const apply = () => timedApply(['-i', inventory, playbook]);
    apply(); // the first apply installs and configures
    const samples = Array.from({ length: runs }, apply);
    assertConverged(samples.at(-1)!.stdout);
    out.convergedApply = stats(samples.map((x) => x.ms));
    out.perHost = perHostCounters(samples.at(-1)!.stdout);
    out.site = await siteFigures(runs);
    const running = await labUp({ ...LAB, progress: quiet });
    out.upload = await uploadFigures(
      {
        address: running.hosts[0]!.address,
        keyPath: running.keyPath,
        knownHostsPath: running.knownHostsPath,
      },
      Math.max(5, runs),
    );
  } finally {
    await labDown(LAB.name, { progress: quiet });
  }
  out.many = await manyHostFigures(runs);
  return out;
}

/** FOOBAR_BENCH_HOSTS hosts (default 50), each with a few files and a service. */
async function manyHostFigures(runs: number): Promise<NonNullable<LabFigures['many']>> {
  const hosts = Number(process.env.FOOBAR_BENCH_HOSTS ?? MANY.hosts);
  const quiet = () => undefined;
  const started = process.hrtime.bigint();
  const up = await labUp({ name: MANY.name, subnet: MANY.subnet, hosts, progress: quiet });
  const upMs = Number(process.hrtime.bigint() - started) / 1e6;
  try {
    const playbook = path.join(ROOT, 'test', 'fixtures', 'playbooks', 'bench-light.yml');
    const apply = () => timedApply(['--forks', String(hosts), '-i', up.inventoryPath, playbook]);
    apply(); // the first run makes the files
    const samples = Array.from({ length: runs }, apply);
    assertConverged(samples.at(-1)!.stdout);
    const counters = Object.values(perHostCounters(samples.at(-1)!.stdout));
    const maxConnections = Math.max(...counters.map((c) => c.connections));
    const maxCommands = Math.max(...counters.map((c) => c.commands));
    return {
      hosts,
      upMs,
      converged: stats(samples.map((x) => x.ms)),
      cpuMs: stats(samples.map((x) => x.cpuMs)),
      peakRssMb: stats(samples.map((x) => x.rssMb)),
      maxConnections,
      maxCommands,
    };
  } finally {
    await labDown(MANY.name, { progress: quiet });
  }
}

/** The whole site on bare hosts: a cold apply, then converged re-runs. */
async function siteFigures(runs: number): Promise<NonNullable<LabFigures['site']>> {
  const { resetLab } = await import('../../src/lab');
  const up = await resetLab(LAB.name, { progress: () => undefined });
  const apply = () => timedApply(['-i', up.inventoryPath]);
  const cold = apply();
  const coldRemoteMs: Record<string, number> = {};
  for (const m of cold.stdout.matchAll(
    /^(\S+) : connect=\d+ facts=\d+ plan=\d+ execute=(\d+) handlers=(\d+)/gm,
  )) {
    coldRemoteMs[m[1]!] = Number(m[2]) + Number(m[3]);
  }
  const samples = Array.from({ length: runs }, apply);
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
        LAB.name,
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
    perHost: perHostCounters(checked.stdout),
    sshdSeen,
  };
}

/** One `foobar-infra apply --timings ARGS` in a fresh process: wall and CPU time, peak RSS. */
function timedApply(args: string[]): { ms: number; cpuMs: number; rssMb: number; stdout: string } {
  const usage = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-bench-apply-')), 'u.json');
  try {
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
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FOOBAR_BENCH_OUT: usage } },
    );
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0)
      throw new Error(`apply ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
    const u = JSON.parse(fs.readFileSync(usage, 'utf8')) as { cpuMs: number; maxRssKb: number };
    return { ms, cpuMs: u.cpuMs, rssMb: u.maxRssKb / 1024, stdout: r.stdout };
  } finally {
    fs.rmSync(path.dirname(usage), { recursive: true, force: true });
  }
}

/** Per host, SSH connections and remote commands, from the `--timings` lines. */
function perHostCounters(
  stdout: string,
): Record<string, { connections: number; commands: number }> {
  const out: Record<string, { connections: number; commands: number }> = {};
  for (const m of stdout.matchAll(
    /^(\S+) : connect=.* ssh_connections=(\d+) remote_commands=(\d+)$/gm,
  ))
    out[m[1]!] = { connections: Number(m[2]), commands: Number(m[3]) };
  return out;
}

function assertConverged(stdout: string): void {
  if (/changed=[1-9]/.test(stdout)) throw new Error(`the re-run was not converged:\n${stdout}`);
}
