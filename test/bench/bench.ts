/**
 * `npm run bench [-- --json]`: prints the project's speed and memory figures.
 * Each figure is the median of several runs, with min and max. Targets are
 * printed beside the figures; they are never asserted in tests.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { labFigures, type LabFigures } from './lab-bench';
import { formatFigure, measureNode, repeat, type Figure, type Stats } from './measure';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'foobar-infra.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

interface Row {
  figure: Figure;
  target?: string;
  targetMs?: number;
}

function cliFigures(): Row[] {
  const run =
    (...args: string[]) =>
    () =>
      measureNode([BIN, ...args], ROOT);
  const example = 'inventories/production.example.yml';
  return [
    { figure: repeat('--version', RUNS, run('--version')), target: '< 150 ms', targetMs: 150 },
    {
      figure: repeat('validate (example inventory)', RUNS, run('validate', '-i', example)),
      target: '< 300 ms',
      targetMs: 300,
    },
    {
      figure: repeat(
        'render (example inventory)',
        RUNS,
        run('render', '-i', example, '--out', path.join(ROOT, 'dist', 'bench-render')),
      ),
      target: '< 500 ms',
      targetMs: 500,
    },
  ];
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const rows = cliFigures();
  const lab: LabFigures = process.argv.includes('--no-lab')
    ? { skipped: '--no-lab' }
    : await labFigures(Math.max(3, Math.floor(RUNS / 2)), process.argv.includes('--cold'));
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ version: 1, runs: RUNS, figures: rows.map((r) => ({ ...r.figure, target: r.target, met: r.targetMs === undefined || r.figure.wall.median < r.targetMs })), lab }, null, 2)}\n`,
    );
    return;
  }
  process.stdout.write(
    `foobar-infra benchmark: median of ${RUNS} runs (node ${process.version}, ${os.cpus().length} cores)\n`,
  );
  for (const r of rows) {
    const met =
      r.targetMs === undefined ? '' : r.figure.wall.median < r.targetMs ? '  met' : '  MISSED';
    process.stdout.write(`${formatFigure(r.figure, r.target)}${met}\n`);
  }
  printLab(lab);
}

function printLab(lab: LabFigures): void {
  if (lab.skipped) {
    process.stdout.write(`lab figures skipped: ${lab.skipped}\n`);
    return;
  }
  const s = (x: Stats) =>
    `${x.median.toFixed(0)} ms (min ${x.min.toFixed(0)}, max ${x.max.toFixed(0)})`;
  if (lab.coldUpMs !== undefined) {
    process.stdout.write(
      `${'lab up, cold (image build)'.padEnd(34)} wall ${lab.coldUpMs.toFixed(0)} ms, of which image build ${(lab.coldImageBuildMs ?? 0).toFixed(0)} ms\n`,
    );
  } else {
    process.stdout.write(`${'lab up, cold'.padEnd(34)} not measured (npm run bench -- --cold)\n`);
  }
  if (lab.warmUp)
    process.stdout.write(
      `${'lab up, warm, 3 hosts'.padEnd(34)} wall ${s(lab.warmUp)}  target < 20000 ms${lab.warmUp.median < 20000 ? '  met' : '  MISSED'}\n`,
    );
  if (lab.convergedApply) {
    const per = Object.entries(lab.perHost ?? {})
      .map(([h, c]) => `${h} ${c.connections} conn/${c.commands} cmds`)
      .join(', ');
    const ok =
      lab.convergedApply.median < 1000 &&
      Object.values(lab.perHost ?? {}).every((c) => c.connections === 1 && c.commands <= 3);
    process.stdout.write(
      `${'converged apply, test playbook, 3 hosts'.padEnd(34)} wall ${s(lab.convergedApply)}  [${per}]  target < 1000 ms, 1 connection and <= 3 commands per host${ok ? '  met' : '  MISSED'}\n`,
    );
  }
  const site = lab.site;
  if (site) {
    const remote = Object.entries(site.coldRemoteMs)
      .map(([h, ms]) => `${h} ${(ms / 1000).toFixed(1)} s`)
      .join(', ');
    const share = (100 * site.coldToolCpuMs) / site.coldWallMs;
    process.stdout.write(
      `${'site: first apply on bare hosts'.padEnd(34)} wall ${(site.coldWallMs / 1000).toFixed(1)} s; remote work (packages, database start-up, files, services) per host: ${remote}; the tool's own CPU ${site.coldToolCpuMs.toFixed(0)} ms = ${share.toFixed(1)}% of the wall time  target < 10%${share < 10 ? '  met' : '  MISSED'}\n`,
    );
    const per = Object.entries(site.perHost)
      .map(([h, c]) => `${h} ${c.connections} conn/${c.commands} cmds`)
      .join(', ');
    process.stdout.write(
      `${'site: converged re-run, 3 hosts'.padEnd(34)} wall ${s(site.converged)}  [${per}]  target < 1000 ms, 1 connection and <= 3 commands per host${site.converged.median < 1000 && Object.values(site.perHost).every((c) => c.connections === 1 && c.commands <= 3) ? '  met' : '  MISSED'}\n`,
    );
  }
  if (site) {
    const logged = Object.entries(site.sshdSeen)
      .map(([h, n]) => `${h} ${n}`)
      .join(', ');
    const agree = Object.entries(site.sshdSeen).every(
      ([h, n]) => n === site.perHost[h]?.connections,
    );
    process.stdout.write(
      `${'site: connections in sshd logs'.padEnd(34)} ${logged} (one re-run)  ${agree ? 'agrees with the transport counters' : 'DIFFERS from the transport counters'}\n`,
    );
  }
  for (const u of lab.upload?.sizes ?? []) {
    const label = `upload ${u.bytes >= 1048576 ? `${u.bytes / 1048576} MiB` : `${u.bytes / 1024} KiB`}`;
    process.stdout.write(`${label.padEnd(34)} exec+stdin ${s(u.exec)}; SFTP ${s(u.sftp)}\n`);
  }
  const many = lab.many;
  if (many) {
    const ok = many.converged.median < 3000 && many.peakRssMb.median < 150;
    process.stdout.write(
      `${`converged re-run, ${many.hosts} hosts`.padEnd(34)} wall ${s(many.converged)}, CPU ${many.cpuMs.median.toFixed(0)} ms, peak RSS ${many.peakRssMb.median.toFixed(0)} MB (max ${many.peakRssMb.max.toFixed(0)}); at most ${many.maxConnections} connection and ${many.maxCommands} commands per host; lab up ${(many.upMs / 1000).toFixed(1)} s  target < 3000 ms and < 150 MB${ok ? '  met' : '  MISSED'}\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
