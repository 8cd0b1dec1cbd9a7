import type { Paint } from '../../report/text-reporter';
import { statusExitCode, type SiteStatus } from './site-health';

/** Columns padded to their widest cell; the first row is the header. */
function table(rows: string[][], paintRow?: (row: string[], line: string) => string): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r, n) => {
    const line = r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
    return n > 0 && paintRow ? paintRow(r, line) : line;
  });
}

const age = (seconds: number) =>
  seconds >= 2 * 86_400
    ? `${Math.floor(seconds / 86_400)} d`
    : seconds >= 7200
      ? `${Math.floor(seconds / 3600)} h`
      : `${Math.floor(seconds / 60)} min`;

/** Each replica: threads, lag, GTID gap, TLS, its last error. */
function replicasTable(status: SiteStatus, good: (ok: boolean, text: string) => string): string[] {
  return table(
    [
      ['REPLICA', 'SOURCE', 'IO', 'SQL', 'BEHIND', 'GTID GAP', 'TLS', 'LAST ERROR'],
      ...status.replicas.map((r) => [
        r.host,
        r.source,
        r.io,
        r.sql,
        r.secondsBehind === null ? '-' : `${r.secondsBehind} s`,
        r.gtidGap === undefined ? '?' : String(r.gtidGap),
        r.tls === undefined ? '?' : r.tls ? 'yes' : 'no',
        r.lastError || (r.pausedForBackup ? 'applier paused for a backup' : '-'),
      ]),
    ],
    (r, line) => good(r[2] === 'Yes' && (r[3] === 'Yes' || /paused for a backup/.test(line)), line),
  );
}

/** Each backup host's newest verified dump and its age; red when too old or none. */
function backupsTable(status: SiteStatus, good: (ok: boolean, text: string) => string): string[] {
  return table(
    [
      ['BACKUP HOST', 'NEWEST VERIFIED', 'AGE', 'NOTE'],
      ...status.backups.map((b) => [
        b.host,
        b.verified?.id ?? 'none',
        b.verified ? age(b.verified.age) : '-',
        b.newest ? `newest ${b.newest.id}: ${b.newest.verdict}` : '-',
      ]),
    ],
    (r, line) => {
      const b = status.backups.find((x) => x.host === r[0])!;
      return good(b.verified !== undefined && b.verified.age <= b.maxAge, line);
    },
  );
}

/** The compact health view: hosts, backends, replication, the site, then the verdict. */
export function statusText(status: SiteStatus, paint: Paint): string[] {
  const good = (ok: boolean, text: string) => paint(text, ok ? 'ok' : 'failed');
  const out: string[] = [];
  out.push(
    ...table(
      [
        ['HOST', 'ROLES', 'SSH', 'SERVICES'],
        ...status.hosts.map((h) => [
          h.host,
          h.roles.join(','),
          h.reachable ? 'ok' : 'UNREACHABLE',
          h.reachable ? h.services.map((s) => `${s.name} ${s.state}`).join(', ') : (h.error ?? ''),
        ]),
      ],
      (r, line) => good(r[2] === 'ok' && !/ (stopped|failed|missing)\b/.test(r[3] ?? ''), line),
    ),
  );
  if (status.backends.length) {
    out.push('');
    out.push(
      ...table(
        [
          ['BACKEND', 'LB', 'STATE', 'SESSIONS', 'CHECK', 'HEALTH'],
          ...status.backends.map((b) => [
            b.server,
            b.lb,
            b.status,
            String(b.sessions),
            b.check || '-',
            b.health ? String(b.health) : 'no answer',
          ]),
        ],
        (r, line) => good(/^UP\b/.test(r[2] ?? '') && r[5] === '200', line),
      ),
    );
  }
  if (status.replicas.length) out.push('', ...replicasTable(status, good));
  if (status.backups.length) out.push('', ...backupsTable(status, good));
  if (status.alerts.length)
    out.push(
      '',
      ...table(
        [
          ['ALERT', 'SEVERITY', 'SINCE', 'SUMMARY'],
          ...status.alerts.map((a) => [
            a.name,
            a.severity,
            a.since.replace(/\.\d+Z$/, 'Z'),
            a.summary,
          ]),
        ],
        (_r, line) => paint(line, 'failed'),
      ),
    );
  if (status.site.length) out.push('');
  for (const s of status.site) {
    out.push(good(s.status === 200, `SITE  ${s.url} through ${s.lb}: ${s.status || 'no answer'}`));
  }
  const vip = status.virtualAddress;
  if (vip)
    out.push(
      good(
        vip.holders.length === 1,
        `VIRTUAL ADDRESS  ${vip.address} held by ${vip.holders.join(' and ') || 'no load balancer'}`,
      ),
    );
  out.push('');
  for (const p of status.problems) out.push(paint(`  - ${p}`, 'failed'));
  const code = statusExitCode(status.verdict);
  out.push(
    paint(
      `STATUS: ${status.verdict} (exit ${code})`,
      code === 0 ? 'ok' : code === 1 ? 'changed' : 'failed',
    ),
  );
  return out;
}
