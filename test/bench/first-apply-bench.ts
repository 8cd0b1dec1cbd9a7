/**
 * `npm run bench -- --first-apply [--flavor mysql|mariadb] [--count N]`: N
 * consecutive first applies of the whole site (playbooks/site.yml with the lab
 * inventory), each on freshly reset bare hosts, counting failures. For each
 * run: its wall time, or the failing host and step and the end of that host's
 * /var/log/mysql/error.log. Runs on lab `bench` (taken down at the end, and
 * first when it runs the other flavour).
 */
import { labDown, labExec, labStatus, labUp, resetLab, labUnsupportedReason } from '../../src/lab';
import { BENCH_LAB, timedApply } from './apply-run';
import { multiple, type Baseline } from './targets';

export interface FirstApplyRun {
  ms: number;
  failure?: { host: string; step: string; error: string; errorLog: string };
}

export interface FirstApplyFigures {
  skipped?: string;
  flavor: 'mysql' | 'mariadb';
  runs: FirstApplyRun[];
}

/** Default counts: 10 on mysql, 5 on mariadb. */
export function defaultCount(flavor: 'mysql' | 'mariadb'): number {
  return flavor === 'mysql' ? 10 : 5;
}

/** The first failed task of an apply's output: host, task and the error's first lines. */
export function firstFailure(
  stdout: string,
): { host: string; step: string; error: string } | undefined {
  const m = /^(failed|unreachable): \[([^\]]+)\] ?([^\n]*)((?:\n {2}[^\n]*)*)/m.exec(stdout);
  if (!m) return undefined;
  const error = m[4]!
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 6)
    .join('\n');
  return { host: m[2]!, step: m[1] === 'unreachable' ? 'connect' : m[3]!, error };
}

export async function firstApplyFigures(
  flavor: 'mysql' | 'mariadb',
  count: number,
  progress: (line: string) => void,
): Promise<FirstApplyFigures> {
  const unsupported = labUnsupportedReason();
  if (unsupported) return { skipped: unsupported, flavor, runs: [] };
  const quiet = () => undefined;
  const status = await labStatus(BENCH_LAB.name).catch(() => undefined);
  if (status && status.state !== 'absent' && status.info?.flavor !== flavor)
    await labDown(BENCH_LAB.name, { progress: quiet });
  const runs: FirstApplyRun[] = [];
  try {
    let lab = await labUp({ ...BENCH_LAB, flavor, progress: quiet });
    for (let i = 0; i < count; i++) {
      lab = await resetLab(BENCH_LAB.name, { progress: quiet });
      const r = timedApply(['-i', lab.inventoryPath], { allowFailure: true });
      if (r.ms >= 0) {
        runs.push({ ms: r.ms });
        progress(`first apply ${i + 1}/${count} (${flavor}): ${(r.ms / 1000).toFixed(1)} s`);
        continue;
      }
      const failed = firstFailure(r.stdout) ?? {
        host: '?',
        step: '?',
        error: r.stdout.split('\n').slice(-8).join('\n'),
      };
      const log =
        failed.host === '?'
          ? { stdout: '', stderr: '' }
          : await labExec(
              BENCH_LAB.name,
              failed.host,
              'sudo tail -n 20 /var/log/mysql/error.log 2>&1',
              { timeoutMs: 30_000 },
            ).catch((e: Error) => ({ stdout: `(could not read it: ${e.message})`, stderr: '' }));
      runs.push({ ms: -1, failure: { ...failed, errorLog: `${log.stdout}${log.stderr}`.trim() } });
      progress(`first apply ${i + 1}/${count} (${flavor}): FAILED on ${failed.host}`);
    }
  } finally {
    await labDown(BENCH_LAB.name, { progress: quiet });
  }
  return { flavor, runs };
}

export function formatFirstApply(f: FirstApplyFigures, b: Baseline): string {
  if (f.skipped) return `first applies (${f.flavor}) skipped: ${f.skipped}\n`;
  const failures = f.runs.filter((r) => r.failure);
  const lines = [
    `first applies of the site on bare hosts (${f.flavor}): ${f.runs.length} runs, ${failures.length} failed`,
  ];
  f.runs.forEach((r, i) => {
    if (!r.failure) {
      lines.push(`  run ${i + 1}: ${(r.ms / 1000).toFixed(1)} s ${multiple(r.ms, b)}`);
      return;
    }
    const indent = (s: string) => s.replace(/^/gm, '      ');
    lines.push(`  run ${i + 1}: FAILED on ${r.failure.host}, step "${r.failure.step}"`);
    if (r.failure.error) lines.push(indent(r.failure.error));
    lines.push(`    ${r.failure.host}:/var/log/mysql/error.log (end):`);
    lines.push(indent(r.failure.errorLog || '(empty)'));
  });
  return `${lines.join('\n')}\n`;
}
