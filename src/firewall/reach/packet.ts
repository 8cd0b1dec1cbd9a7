/**
 * The packet the reach check follows, and the three-valued answers about it:
 * `yes` and `no` are decided from the ruleset alone, `unknown` is not.
 */

export type Tri = 'yes' | 'no' | 'unknown';
export type ConnState = 'new' | 'established';
export type Family = 4 | 6;

/** The probe's source: a literal of its family (an IPv4-mapped IPv6 source is IPv4). */
export interface Source {
  family: Family;
  address: string;
}

export interface Packet extends Source {
  port: number;
  state: ConnState;
}

export function not(t: Tri): Tri {
  return t === 'yes' ? 'no' : t === 'no' ? 'yes' : 'unknown';
}

export function any(ts: Iterable<Tri>): Tri {
  let result: Tri = 'no';
  for (const t of ts) {
    if (t === 'yes') return 'yes';
    if (t === 'unknown') result = 'unknown';
  }
  return result;
}

export function all(ts: Iterable<Tri>): Tri {
  let result: Tri = 'yes';
  for (const t of ts) {
    if (t === 'no') return 'no';
    if (t === 'unknown') result = 'unknown';
  }
  return result;
}
