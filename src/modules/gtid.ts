/**
 * MySQL GTID sets (`uuid:1-5:7,uuid2:1-3`): enough arithmetic to tell whether
 * a replica executed transactions its source never had (errant GTIDs).
 */
export type GtidSet = Map<string, [number, number][]>;

export function parseGtidSet(text: string): GtidSet {
  const out: GtidSet = new Map();
  for (const part of text.replace(/\s+/g, '').split(',')) {
    if (part === '') continue;
    const [uuid, ...ranges] = part.split(':');
    const list = out.get(uuid!.toLowerCase()) ?? [];
    for (const r of ranges) {
      const [a, b] = r.split('-').map(Number);
      list.push([a!, b ?? a!]);
    }
    out.set(uuid!.toLowerCase(), list);
  }
  return out;
}

/** The transactions of `a` that are not in `b`, as a GTID set text ('' when none). */
export function gtidMinus(a: string, b: string): string {
  const left = parseGtidSet(a);
  const right = parseGtidSet(b);
  const parts: string[] = [];
  for (const [uuid, ranges] of left) {
    const cover = right.get(uuid) ?? [];
    const missing: [number, number][] = [];
    for (const [start, end] of ranges) {
      let pieces: [number, number][] = [[start, end]];
      for (const [cs, ce] of cover) {
        pieces = pieces.flatMap(([s, e]): [number, number][] => {
          if (ce < s || cs > e) return [[s, e]];
          const keep: [number, number][] = [];
          if (cs > s) keep.push([s, cs - 1]);
          if (ce < e) keep.push([ce + 1, e]);
          return keep;
        });
      }
      missing.push(...pieces);
    }
    if (missing.length)
      parts.push(`${uuid}:${missing.map(([s, e]) => (s === e ? `${s}` : `${s}-${e}`)).join(':')}`);
  }
  return parts.join(',');
}
