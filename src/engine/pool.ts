/** Runs `work` over items with at most `limit` at once; resolves when all are done. */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

/** Splits hosts into `serial` batches: a count, or a percentage such as "50%". */
export function batches<T>(items: readonly T[], serial: number | string | undefined): T[][] {
  if (serial === undefined) return [items.slice()];
  const size =
    typeof serial === 'number'
      ? serial
      : Math.max(1, Math.floor((items.length * Number(serial.replace('%', ''))) / 100));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
