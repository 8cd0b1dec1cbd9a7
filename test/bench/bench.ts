/**
 * `npm run bench [-- --json]`: prints the project's speed and memory figures.
 * Each figure is the median of several runs, with min and max. Targets are
 * printed beside the figures; they are never asserted in tests.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { formatFigure, measureNode, repeat, type Figure } from './measure';

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

function main(): void {
  const json = process.argv.includes('--json');
  const rows = cliFigures();
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ version: 1, runs: RUNS, figures: rows.map((r) => ({ ...r.figure, target: r.target, met: r.targetMs === undefined || r.figure.wall.median < r.targetMs })) }, null, 2)}\n`,
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
}

main();
