/**
 * Ansible's host ranges: `www[01:50].example.com`, `db-[a:f]`, a step as in
 * `[01:50:2]`, several ranges in one name. The same expansion, rule for rule,
 * as Ansible's inventory plugins. Pure.
 */

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export type RangeResult = { hosts: string[] } | { error: string };

/** The host names a pattern stands for: itself when it holds no range. */
export function expandHostRange(pattern: string): RangeResult {
  if (!pattern.includes('[')) return { hosts: [pattern] };
  const open = pattern.indexOf('[');
  const close = pattern.indexOf(']', open);
  if (close < 0) return { error: `host range "${pattern}" has no closing "]"` };
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = pattern.slice(open + 1, close).split(':');
  if (bounds.length !== 2 && bounds.length !== 3)
    return { error: `host range "${pattern}" must be [begin:end] or [begin:end:step]` };
  const begin = bounds[0] || '0';
  const end = bounds[1]!;
  const step = bounds.length === 3 ? Number(bounds[2]) : 1;
  if (!end) return { error: `host range "${pattern}" has no end value` };
  if (!Number.isInteger(step) || step < 1)
    return { error: `host range "${pattern}": the step must be a whole number, 1 or more` };
  const seq = sequence(begin, end, step);
  if ('error' in seq) return { error: `host range "${pattern}": ${seq.error}` };
  if (seq.items.length === 0) return { error: `host range "${pattern}" is empty` };
  const hosts: string[] = [];
  for (const part of seq.items) {
    const more = expandHostRange(`${head}${part}${tail}`);
    if ('error' in more) return more;
    hosts.push(...more.hosts);
  }
  return { hosts };
}

function sequence(
  begin: string,
  end: string,
  step: number,
): { items: string[] } | { error: string } {
  const padded = begin.length > 1 && begin.startsWith('0');
  if (padded && begin.length !== end.length)
    return { error: 'begin and end must have the same number of digits' };
  const from = LETTERS.indexOf(begin);
  const to = LETTERS.indexOf(end);
  if (begin.length === 1 && end.length === 1 && from >= 0 && to >= 0) {
    if (from > to) return { error: 'begin must not come after end' };
    const items: string[] = [];
    for (let i = from; i <= to; i += step) items.push(LETTERS[i]!);
    return { items };
  }
  if (!/^\d+$/.test(begin) || !/^\d+$/.test(end))
    return { error: 'begin and end are numbers, or single letters' };
  const items: string[] = [];
  for (let i = Number(begin); i <= Number(end); i += step)
    items.push(padded ? String(i).padStart(begin.length, '0') : String(i));
  return { items };
}
