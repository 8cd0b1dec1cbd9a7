/**
 * `status` on monitoring: the alerts firing now, read from Alertmanager's
 * API on each monitor host (over the run's SSH connection, on its
 * localhost). Each firing alert is a problem: status is degraded. Pure.
 */
import type { FactRequest } from '../../facts/types';
import type { Host } from '../../inventory/model';
import type { FactView } from '../../modules/fact-view';

/** The services a monitor host runs (status lists them with the others). */
export const MONITOR_SERVICES = ['prometheus', 'prometheus-alertmanager'];

export interface AlertRow {
  /** The monitor host whose Alertmanager holds it. */
  monitor: string;
  name: string;
  severity: string;
  summary: string;
  /** When it started firing (ISO 8601). */
  since: string;
}

const alertsUrl = (host: Host) =>
  `http://127.0.0.1:${String(host.vars.alertmanager_port)}/api/v2/alerts?active=true&silenced=false&inhibited=false`;

export const alertRequests = (host: Host): FactRequest[] => [
  { kind: 'http_text', url: alertsUrl(host) },
];

interface ApiAlert {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  status?: { state?: string };
}

/** The monitor host's firing alerts, and the problems they make (one each, or why none could be read). */
export function readAlerts(host: Host, facts: FactView): { rows: AlertRow[]; problems: string[] } {
  const answer = facts.httpText(alertsUrl(host));
  if (!answer.ok || answer.status !== 200)
    return {
      rows: [],
      problems: [
        `${host.name}: Alertmanager does not answer (${answer.ok ? `HTTP ${answer.status}` : answer.error}): the alerts are unknown`,
      ],
    };
  let alerts: ApiAlert[];
  try {
    alerts = JSON.parse(answer.body) as ApiAlert[];
    if (!Array.isArray(alerts)) throw new Error('not a list');
  } catch {
    return {
      rows: [],
      problems: [`${host.name}: Alertmanager's answer is not its list of alerts`],
    };
  }
  const rows = alerts
    .filter((a) => (a.status?.state ?? 'active') === 'active')
    .map((a) => ({
      monitor: host.name,
      name: a.labels?.alertname ?? '?',
      severity: a.labels?.severity ?? '',
      summary: a.annotations?.summary ?? '',
      since: a.startsAt ?? '',
    }))
    .sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
  return { rows, problems: rows.map((r) => `alert ${r.name} (${r.severity}): ${r.summary}`) };
}
