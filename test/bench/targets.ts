/**
 * Figures relative to this machine: every time is also printed as a multiple
 * of `--version`'s median time in the same run, so that machines can be
 * compared. The absolute targets hold on a machine where `--version` takes
 * about 65 ms; a target is judged by its multiple (400 ms = 6.2× --version),
 * so a slow or loaded machine is not blamed for being slow.
 */
export const REFERENCE_VERSION_MS = 65;

export interface Baseline {
  /** `--version`'s median wall time in this run. */
  versionMs: number;
}

/** `= 5.2× --version` */
export function multiple(ms: number, b: Baseline): string {
  return `= ${(ms / b.versionMs).toFixed(1)}× --version`;
}

export interface TimeTarget {
  /** The target in ms on the reference machine (`--version` about 65 ms). */
  ms: number;
}

/** Whether `ms` meets the target once scaled to this machine. */
export function meets(ms: number, t: TimeTarget, b: Baseline): boolean {
  return ms / b.versionMs < t.ms / REFERENCE_VERSION_MS;
}

/**
 * `target < 400 ms (6.2× --version; 512 ms here)  met`, or `... MISSED by 88 ms (+17%)`
 * where the miss is measured against the target scaled to this machine.
 */
export function judgeTime(ms: number, t: TimeTarget, b: Baseline): string {
  const factor = t.ms / REFERENCE_VERSION_MS;
  const here = factor * b.versionMs;
  const head = `target < ${t.ms} ms (${factor.toFixed(1)}× --version; ${here.toFixed(0)} ms here)`;
  if (meets(ms, t, b)) return `${head}  met`;
  return `${head}  MISSED by ${(ms - here).toFixed(0)} ms (+${((100 * (ms - here)) / here).toFixed(0)}%)`;
}

/** A limit that is not a time (memory, connections, commands): not scaled. */
export function judgeLimit(value: number, limit: number, unit: string, strict = true): string {
  const ok = strict ? value < limit : value <= limit;
  const head = `target ${strict ? '<' : '<='} ${limit}${unit}`;
  if (ok) return `${head}  met`;
  const by = value - limit;
  return `${head}  MISSED by ${by.toFixed(0)}${unit}${limit > 0 ? ` (+${((100 * by) / limit).toFixed(0)}%)` : ''}`;
}

/** `512 ms (min 480, max 600) = 7.9× --version` */
export function timeFigure(
  x: { median: number; min: number; max: number },
  b: Baseline,
  unit = 'ms',
): string {
  const div = unit === 's' ? 1000 : 1;
  const d = unit === 's' ? 2 : 0;
  return `${(x.median / div).toFixed(d)} ${unit} (min ${(x.min / div).toFixed(d)}, max ${(x.max / div).toFixed(d)}) ${multiple(x.median, b)}`;
}
