/** One server of a backend, from HAProxy's `show stat`. */
export interface BackendServer {
  backend: string;
  server: string;
  /** UP, DOWN, MAINT, DRAIN, NOLB, "UP 1/2" (going down), "no check", ... */
  status: string;
  /** Current sessions. */
  sessions: number;
  /** The last health check's result, e.g. L7OK, L4CON, L7STS. */
  check: string;
}

/**
 * Parses the CSV of `show stat` (the runtime API). The header line names the
 * fields (`# pxname,svname,...`), so the columns are found by name, whatever
 * the HAProxy version adds. Frontend and backend summary rows are left out.
 */
export function parseShowStat(csv: string): BackendServer[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) throw new Error('show stat: no header line');
  const names = header.slice(2).split(',');
  const at = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`show stat: no "${name}" column`);
    return i;
  };
  const [px, sv, status, scur, check] = [
    at('pxname'),
    at('svname'),
    at('status'),
    at('scur'),
    at('check_status'),
  ];
  const out: BackendServer[] = [];
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    const f = line.split(',');
    if (f[sv] === 'FRONTEND' || f[sv] === 'BACKEND') continue;
    out.push({
      backend: f[px] ?? '',
      server: f[sv] ?? '',
      status: f[status] ?? '',
      sessions: Number(f[scur] ?? 0) || 0,
      check: (f[check] ?? '').replace(/^\*/, ''),
    });
  }
  return out;
}

/** UP (or UP while its checks start failing) counts as serving; anything else does not. */
export function isServing(server: BackendServer): boolean {
  return /^UP\b/.test(server.status) || server.status === 'no check' || server.status === 'OPEN';
}
