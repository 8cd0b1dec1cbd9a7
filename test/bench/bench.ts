/**
 * `npm run bench [-- --json] [--no-lab] [--cold]`: prints the project's speed
 * and memory figures. Each figure is the median of several runs, with min and
 * max, and also a multiple of `--version`'s median in the same run, so that
 * machines can be compared (targets.ts). Targets are printed beside the
 * figures; they are never asserted in tests.
 *
 * Other modes:
 * - `--vs-ansible`: the engine's test playbook against its Ansible equivalent;
 * - `--first-apply [--flavor mysql|mariadb] [--count N]`: N first applies of
 *   the site on freshly reset bare hosts, with the failures.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { ansibleFigures, type AnsibleFigures } from './ansible-bench';
import { ROOT, BIN } from './apply-run';
import {
  defaultCount,
  firstApplyFigures,
  formatFirstApply,
  type FirstApplyFigures,
} from './first-apply-bench';
import { labFigures, type LabFigures } from './lab-bench';
import { ansibleText, labText } from './lab-report';
import { formatFigure, measureNode, repeat, type Figure } from './measure';
import { judgeTime, multiple, type Baseline } from './targets';
import { writeLargeInventory } from './validate-bench';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

interface Row {
  figure: Figure;
  targetMs?: number;
}

function cliFigures(): Row[] {
  const run =
    (...args: string[]) =>
    () =>
      measureNode([BIN, ...args], ROOT);
  const example = 'inventories/production.example.yml';
  return [
    { figure: repeat('--version', RUNS, run('--version')) },
    {
      figure: repeat('validate (example inventory)', RUNS, run('validate', '-i', example)),
      targetMs: 300,
    },
    {
      figure: repeat(
        'render (example inventory)',
        RUNS,
        run('render', '-i', example, '--out', path.join(ROOT, 'dist', 'bench-render')),
      ),
      targetMs: 500,
    },
    {
      // One inventory file, group_vars/ and a host_vars/ file per host, as Ansible projects have them.
      figure: repeat(
        'validate, 500 hosts with group_vars/ and host_vars/',
        RUNS,
        run('validate', '-i', writeLargeInventory(499)),
      ),
      targetMs: 1000,
    },
  ];
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function flavorOption(): 'mysql' | 'mariadb' {
  const f = option('--flavor') ?? 'mysql';
  if (f !== 'mysql' && f !== 'mariadb') throw new Error(`--flavor ${f}: mysql or mariadb`);
  return f;
}

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<void> {
  const has = (flag: string) => process.argv.includes(flag);
  const json = has('--json');
  const rows = cliFigures();
  const baseline: Baseline = { versionMs: rows[0]!.figure.wall.median };
  let lab: LabFigures | undefined;
  let ansible: AnsibleFigures | undefined;
  let firstApply: FirstApplyFigures | undefined;
  if (has('--first-apply')) {
    const flavor = flavorOption();
    const count = Number(option('--count') ?? defaultCount(flavor));
    if (!Number.isInteger(count) || count < 1) throw new Error('--count: a whole number >= 1');
    firstApply = await firstApplyFigures(flavor, count, progress);
  } else if (has('--vs-ansible')) {
    ansible = await ansibleFigures(Math.max(3, Math.floor(RUNS / 2)), progress);
  } else if (has('--no-lab')) {
    lab = { skipped: '--no-lab' };
  } else {
    lab = await labFigures(Math.max(3, Math.floor(RUNS / 2)), has('--cold'));
  }
  if (json) {
    const figures = rows.map((r) => ({
      ...r.figure,
      versionMultiple: r.figure.wall.median / baseline.versionMs,
      targetMs: r.targetMs,
    }));
    const doc = { version: 2, runs: RUNS, baseline, figures, lab, ansible, firstApply };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `foobar-infra benchmark: median of ${RUNS} runs (node ${process.version}, ${os.cpus().length} cores); times also as multiples of --version's median (${baseline.versionMs.toFixed(0)} ms here); targets hold where --version takes about 65 ms\n`,
  );
  for (const r of rows) {
    const judged =
      r.targetMs === undefined
        ? `  target < 150 ms${r.figure.wall.median < 150 ? '  met' : '  MISSED'}`
        : `  ${judgeTime(r.figure.wall.median, { ms: r.targetMs }, baseline)}`;
    process.stdout.write(
      `${formatFigure(r.figure)} ${multiple(r.figure.wall.median, baseline)}${judged}\n`,
    );
  }
  if (lab) process.stdout.write(labText(lab, baseline));
  if (ansible) process.stdout.write(ansibleText(ansible, baseline));
  if (firstApply) process.stdout.write(formatFirstApply(firstApply, baseline));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
