/**
 * `status`: what to ask each host (one gather, one round trip) and what the
 * answers mean for the site. Pure: inventory and facts in, a health report out.
 */
import type { UnitFact } from '../../facts/types';
import { unitName } from '../../facts/types';
import type { Host, Inventory } from '../../inventory/model';
import { dbRole, isBackupHost, isLb, monitorHosts, webHosts } from '../roles';
import { readAlerts, type AlertRow } from './alerts';
import { dumpRunning, readBackups, type BackupRow } from './backups';
import { backendUrl, gtidQuery, holdsAddress, siteUrl } from './requests';

import { managedServices } from './requests';

export { managedServices, statusRequests } from './requests';
import { gtidMinus, parseGtidSet } from '../../modules/gtid';
import { READ_ONLY, REPLICA_STATUS } from '../../modules/mysql-common';
import type { FactView } from '../../modules/fact-view';
import { parseReplicaStatus } from '../../mysql';
import { isServing, parseShowStat } from '../../facts/haproxy-csv';

/** Seconds behind its source from which a running replica counts as degraded. */
export const LAG_DEGRADED_SECONDS = 60;

export type Verdict = 'healthy' | 'degraded' | 'down';

export interface ServiceRow {
  name: string;
  state: 'running' | 'stopped' | 'failed' | 'missing';
}

export interface HostRow {
  host: string;
  roles: string[];
  reachable: boolean;
  error?: string;
  services: ServiceRow[];
}

export interface BackendRow {
  lb: string;
  server: string;
  status: string;
  sessions: number;
  check: string;
  /** The backend's health URL asked directly from the lb: its HTTP status (0: no answer). */
  health?: number;
}

export interface ReplicaRow {
  host: string;
  source: string;
  io: string;
  sql: string;
  secondsBehind: number | null;
  lastError: string;
  /** Transactions the source has that this replica has not applied (undefined: unknown). */
  gtidGap?: number;
  /** TLS on the replication channel. */
  tls?: boolean;
  /** The applier is held still (no error) while the backup job takes a dump. */
  pausedForBackup?: boolean;
}

/** The address the load balancers share (keepalived): which of them holds it now. */
export interface VirtualAddressRow {
  address: string;
  /** The reachable lbs that have it on an interface: one when all is well. */
  holders: string[];
}

export interface SiteCheck {
  lb: string;
  url: string;
  status: number;
}

export interface SiteStatus {
  verdict: Verdict;
  /** Why it is not healthy, one line each. */
  problems: string[];
  hosts: HostRow[];
  backends: BackendRow[];
  replicas: ReplicaRow[];
  site: SiteCheck[];
  /** Set when the inventory gives the lbs a virtual address. */
  virtualAddress?: VirtualAddressRow;
  /** Each backup host's newest verified dump. */
  backups: BackupRow[];
  /** The alerts firing now, from each monitor host's Alertmanager. */
  alerts: AlertRow[];
}

const v = (h: Host, name: string) => h.vars[name];

/** A host's answers, or why there are none. */
export type HostAnswer = { ok: true; facts: FactView } | { ok: false; error: string };

function serviceState(unit: UnitFact | undefined): ServiceRow['state'] {
  if (!unit || unit.loadState === 'not-found') return 'missing';
  if (unit.activeState === 'active') return 'running';
  if (unit.activeState === 'failed') return 'failed';
  return 'stopped';
}

/** How many transactions a GTID set text holds. */
function gtidCount(set: string): number {
  let n = 0;
  for (const ranges of parseGtidSet(set).values()) for (const [a, b] of ranges) n += b - a + 1;
  return n;
}

/** MariaDB positions ("0-1-42,1-3-7"): the sequence numbers the source is ahead by, per domain. */
function mariadbGap(source: string, replica: string): number {
  const seq = (text: string) =>
    new Map(
      text
        .split(',')
        .map((p) => p.trim().split('-'))
        .filter((p) => p.length === 3)
        .map(([domain, , n]) => [domain!, Number(n)]),
    );
  const mine = seq(replica);
  let gap = 0;
  for (const [domain, n] of seq(source)) gap += Math.max(0, n - (mine.get(domain) ?? 0));
  return gap;
}

/** The status as it is gathered, host by host: rows, problems, and the load balancers seen. */
interface Gathering {
  problems: string[];
  hosts: HostRow[];
  backends: BackendRow[];
  replicas: ReplicaRow[];
  site: SiteCheck[];
  backups: BackupRow[];
  alerts: AlertRow[];
  /** Load balancers, and those that serve the site. */
  lbs: number;
  lbsServing: number;
  virtualAddress?: VirtualAddressRow;
}

/** The health of the site from every host's answers. */
export function siteStatus(
  inventory: Inventory,
  answers: ReadonlyMap<string, HostAnswer>,
  /** Seconds since the epoch, for the backups' age. */
  now: number = Date.now() / 1000,
): SiteStatus {
  const g: Gathering = {
    problems: [],
    hosts: [],
    backends: [],
    replicas: [],
    site: [],
    backups: [],
    alerts: [],
    lbs: 0,
    lbsServing: 0,
  };
  for (const host of inventory.hosts.values()) {
    const answer = answers.get(host.name);
    if (answer) readHost(g, inventory, host, answer);
    if (answer?.ok && isBackupHost(host)) {
      const { row, problems } = readBackups(host, answer.facts, now);
      g.backups.push(row);
      g.problems.push(...problems);
    }
  }
  // Each monitor host has its own Alertmanager: the same alert from two is one.
  const seen = new Set<string>();
  for (const host of monitorHosts(inventory)) {
    const answer = answers.get(host.name);
    if (!answer?.ok) continue;
    const { rows, problems } = readAlerts(host, answer.facts);
    rows.forEach((row, i) => {
      const key = `${row.name}\0${row.summary}`;
      if (seen.has(key)) return;
      seen.add(key);
      g.alerts.push(row);
      g.problems.push(problems[i]!);
    });
    g.problems.push(...problems.slice(rows.length));
  }
  // Replication, with the source's answers for the GTID gap.
  for (const host of inventory.hosts.values()) {
    const answer = answers.get(host.name);
    if (dbRole(host) !== 'replica' || !answer?.ok) continue;
    const row = replicaRow(inventory, answers, host, answer.facts);
    g.replicas.push(row);
    const problem = replicaProblem(row);
    if (problem) g.problems.push(problem);
  }
  const { virtualAddress, problems } = g;
  // The site is down when no load balancer serves it; with several (keepalived), one is enough.
  let down = g.lbs > 0 && g.lbsServing === 0;
  if (virtualAddress?.holders.length === 0) {
    // Users come in on that address: nobody answers on it.
    down = true;
    problems.push(`no load balancer holds the virtual address ${virtualAddress.address}`);
  } else if (virtualAddress && virtualAddress.holders.length > 1)
    problems.push(
      `the virtual address ${virtualAddress.address} is held by ${virtualAddress.holders.join(' and ')} at once (VRRP adverts lost between them?)`,
    );
  const verdict: Verdict = down ? 'down' : problems.length > 0 ? 'degraded' : 'healthy';
  return {
    verdict,
    problems,
    hosts: g.hosts,
    backends: g.backends,
    replicas: g.replicas,
    site: g.site,
    backups: g.backups,
    alerts: g.alerts,
    ...(virtualAddress ? { virtualAddress } : {}),
  };
}

/** A host's row: reachable or not, its services, and for a load balancer what it serves. */
function readHost(g: Gathering, inventory: Inventory, host: Host, answer: HostAnswer): void {
  const roles = [
    ...host.groups.filter((name) => name !== 'all'),
    ...(dbRole(host) !== 'none' ? [dbRole(host)] : []),
  ];
  if (!answer.ok) {
    g.hosts.push({ host: host.name, roles, reachable: false, error: answer.error, services: [] });
    g.problems.push(`${host.name} is unreachable: ${answer.error}`);
    if (isLb(host)) g.lbs++;
    return;
  }
  const f = answer.facts;
  const names = managedServices(host, monitorHosts(inventory));
  const units = f.units(names);
  const services = names.map((name) => ({
    name,
    state: serviceState(units.get(name) ?? units.get(unitName(name))),
  }));
  for (const s of services)
    if (s.state !== 'running') g.problems.push(`${host.name}: ${s.name} is ${s.state}`);
  // Every server starts read-only; `apply` makes the primary writable.
  if (dbRole(host) === 'primary') {
    const ro = f.sql(READ_ONLY);
    if (ro.ok && ro.output.trim() === '1')
      g.problems.push(
        `${host.name}: the primary is read-only (it restarted since the last apply: run apply)`,
      );
  }
  g.hosts.push({ host: host.name, roles, reachable: true, services });
  if (isLb(host) && v(host, 'lb_virtual_ip') !== undefined) {
    const address = String(v(host, 'lb_virtual_ip'));
    g.virtualAddress ??= { address, holders: [] };
    if (f.exit(holdsAddress(address)) === 0) g.virtualAddress.holders.push(host.name);
  }
  if (isLb(host)) readLoadBalancer(g, inventory, host, f);
}

/** What a load balancer serves: the site through it, and each web host as its backend. */
function readLoadBalancer(g: Gathering, inventory: Inventory, host: Host, f: FactView): void {
  g.lbs++;
  const probe = siteUrl(host);
  const through = f.http(probe);
  g.site.push({ lb: host.name, url: probe.url, status: through.status });
  if (through.status === 200) g.lbsServing++;
  else
    g.problems.push(
      `the site through ${host.name} answers ${through.status || 'nothing'} (${probe.url})`,
    );
  const stat = f.haproxyStat({ port: Number(v(host, 'lb_runtime_api_port')) });
  const servers = stat.ok ? parseShowStat(stat.csv) : [];
  if (!stat.ok) g.problems.push(`${host.name}: HAProxy's runtime API: ${stat.error}`);
  for (const web of webHosts(inventory)) {
    const server = servers.find((s) => s.server === web.name);
    const health = f.http({ url: backendUrl(web) }).status;
    g.backends.push({
      lb: host.name,
      server: web.name,
      status: server?.status ?? 'unknown',
      sessions: server?.sessions ?? 0,
      check: server?.check ?? '',
      health,
    });
    if (!server || !isServing(server))
      g.problems.push(`${host.name}: backend ${web.name} is ${server?.status ?? 'not in HAProxy'}`);
    else if (health !== 200)
      g.problems.push(
        `${web.name}: its health URL answers ${health || 'nothing'} from ${host.name}`,
      );
  }
}

/** A replica's row: its threads, lag and last error, and how many transactions its source is ahead. */
function replicaRow(
  inventory: Inventory,
  answers: ReadonlyMap<string, HostAnswer>,
  host: Host,
  facts: FactView,
): ReplicaRow {
  const sourceName = String(v(host, 'mysql_source') ?? '');
  const row: ReplicaRow = {
    host: host.name,
    source: sourceName,
    io: 'No',
    sql: 'No',
    secondsBehind: null,
    lastError: '',
  };
  const raw = facts.sql(REPLICA_STATUS);
  const status = raw.ok ? parseReplicaStatus(raw.output) : undefined;
  if (!raw.ok) row.lastError = raw.error;
  else if (!status) row.lastError = 'replication is not set up';
  else {
    row.io = status.ioRunning;
    row.sql = status.sqlRunning;
    row.secondsBehind = status.secondsBehind;
    row.lastError = status.lastIoError || status.lastSqlError;
    row.tls = status.sslAllowed;
    if (
      status.sqlRunning !== 'Yes' &&
      !status.lastSqlError &&
      isBackupHost(host) &&
      dumpRunning(facts)
    )
      row.pausedForBackup = true;
  }
  const source = inventory.hosts.get(sourceName);
  const sourceAnswer = source ? answers.get(source.name) : undefined;
  if (source && sourceAnswer?.ok) {
    const gap = gtidGap(host, facts, source, sourceAnswer.facts);
    if (gap !== undefined) row.gtidGap = gap;
  }
  return row;
}

/** How many transactions the source has that the replica has not, when both answer. */
function gtidGap(host: Host, facts: FactView, source: Host, sourceFacts: FactView) {
  const mine = facts.sql({ query: gtidQuery(host) });
  const theirs = sourceFacts.sql({ query: gtidQuery(source) });
  if (!mine.ok || !theirs.ok) return undefined;
  // The client's batch output writes a newline inside a value as \n.
  const cols = (out: string) => out.replace(/\\n/g, '').split('\t');
  const [sourceSet = ''] = cols(theirs.output);
  const mineCols = cols(mine.output);
  return v(host, 'mysql_flavor') === 'mariadb'
    ? mariadbGap(sourceSet.trim(), (mineCols[1] ?? '').trim())
    : gtidCount(gtidMinus(sourceSet.trim(), (mineCols[0] ?? '').trim()));
}

function replicaProblem(row: ReplicaRow): string | undefined {
  if (row.io !== 'Yes' || (row.sql !== 'Yes' && !row.pausedForBackup))
    return `${row.host}: replication is broken (IO ${row.io}, SQL ${row.sql}${row.lastError ? `: ${row.lastError}` : ''})`;
  if ((row.secondsBehind ?? 0) >= LAG_DEGRADED_SECONDS)
    return `${row.host}: replication is ${row.secondsBehind} s behind ${row.source}`;
  return undefined;
}

/** 0 healthy, 1 degraded, 2 down. */
export function statusExitCode(verdict: Verdict): number {
  return verdict === 'healthy' ? 0 : verdict === 'degraded' ? 1 : 2;
}
