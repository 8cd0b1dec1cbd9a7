import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import type { Fact, FactRequest } from '../../src/facts/types';
import { factKey } from '../../src/facts/types';
import { requireProject } from '../../src/engine/project';
import { SITE } from '../../src/cli/site-project';
import { FactView } from '../../src/modules/fact-view';
import { parseShowStat } from '../../src/facts/haproxy-csv';
import {
  siteStatus,
  statusExitCode,
  statusRequests,
  type HostAnswer,
} from '../../src/site/status/site-health';
import { fixture } from '../support/cli';

const csv = (name: string) => fs.readFileSync(fixture('status', name), 'utf8');

const NOW = 1_796_450_000;
const DUMP_JOB = 'foobar-mysql-backup@run.service';

/** The binary log archive, reaching `ago` seconds before NOW (null: never archived). */
function archiveListing(ago: number | null = 600, copiedAgo: number | null = null): Fact {
  const files = [{ name: 'mysql-bin.000002', size: 5000, mtime: 0 }];
  if (ago !== null)
    files.push({ name: '.archived', size: 11, mtime: 0, text: `${NOW - ago}\n` } as never);
  // The last copy to backup_copy_host: "SECONDS NEWEST-DUMP".
  if (copiedAgo !== null)
    files.push({
      name: '.copied',
      size: 28,
      mtime: 0,
      text: `${NOW - copiedAgo} 20261204T000000Z\n`,
    } as never);
  return { kind: 'listing', value: { present: true, files } };
}

/**
 * A backup host's dumps folder as the listing fact reads it: one dump taken
 * `age` seconds before NOW, its file there, and its verification's result.
 */
function backupListing(
  over: { age?: number; verify?: 'ok' | 'failed'; fileGone?: boolean } = {},
): Fact {
  const id = '20261204T000000Z';
  const meta = [
    `id=${id}`,
    `time=${NOW - (over.age ?? 3600)}`,
    'position=0-1-9',
    'binlog=mysql-bin.000002',
    'source=replica',
    'table=foobar.messages\t3\t12345',
    `file=${id}.sql.gz`,
    'size=900',
  ].join('\n');
  const detail =
    over.verify === 'failed'
      ? "the dump file's SHA-256 is not the one recorded when it was made"
      : '1 table: rows and CHECKSUM TABLE as recorded';
  const files = [
    { name: `${id}.meta`, size: meta.length, mtime: 0, text: meta },
    ...(over.fileGone ? [] : [{ name: `${id}.sql.gz`, size: 900, mtime: 0 }]),
    {
      name: `${id}.verify`,
      size: 60,
      mtime: 0,
      text: `result=${over.verify ?? 'ok'}\ntime=${NOW - 3000}\ndetail=${detail}\n`,
    },
  ];
  return { kind: 'listing', value: { present: true, files } };
}

describe("status: HAProxy's `show stat`, from a real HAProxy 3.2", () => {
  it('the servers of each backend with state, sessions and last check; no frontend or summary rows', () => {
    assert.deepEqual(parseShowStat(csv('haproxy-3.2-show-stat-up.csv')), [
      { backend: 'web', server: 'web-01', status: 'UP', sessions: 0, check: 'L7OK' },
      { backend: 'web', server: 'web-02', status: 'UP', sessions: 0, check: 'L7OK' },
    ]);
    assert.deepEqual(
      parseShowStat(csv('haproxy-3.2-show-stat-web-01-down.csv')).map((s) => [
        s.server,
        s.status,
        s.check,
      ]),
      [
        ['web-01', 'DOWN', 'L4CON'],
        ['web-02', 'UP', 'L7OK'],
      ],
    );
  });

  it('output without a header is an error, not an empty list', () => {
    assert.throws(() => parseShowStat('Unknown command\n'), /no header line/);
  });
});

describe('status: the site from every host’s answers', () => {
  const project = requireProject(
    fixture('inventories', 'good', 'minimal.yml'),
    fixture('playbooks', 'engine.yml'),
    SITE,
  );
  const inventory = project.inventory;
  const GTID = 'cca0d498-e804-11f1-8bfb-361fb8e7e70a';
  /** Real `SHOW REPLICA STATUS` output of MySQL 9.7 (test/fixtures/mysql). */
  const replicaStatus = (name: string) =>
    (JSON.parse(fs.readFileSync(fixture('mysql', `${name}.json`), 'utf8')) as { output: string })
      .output;

  /** Answers for every request of a host, from a function of the request. */
  const answer = (host: string, fact: (r: FactRequest) => Fact): HostAnswer => ({
    ok: true,
    facts: new FactView(new Map(statusRequests(inventory, host).map((r) => [factKey(r), fact(r)]))),
  });
  const healthy = (
    over: {
      stopped?: string[];
      stat?: string;
      site?: number;
      replica?: string;
      primaryGtid?: string;
      primaryReadOnly?: boolean;
      replicaGtid?: string;
      backup?: Parameters<typeof backupListing>[0];
      archivedAgo?: number | null;
      copiedAgo?: number | null;
      dumping?: boolean;
      /** Alertmanager's answer (its list of alerts, as JSON). */
      alerts?: string;
    } = {},
  ) =>
    new Map(
      ['lb-01', 'web-01', 'web-02'].map((host) => [
        host,
        answer(host, (r): Fact => {
          switch (r.kind) {
            case 'units':
              return {
                kind: 'units',
                value: new Map(
                  r.names.map((n) => [
                    n,
                    {
                      name: n,
                      loadState: 'loaded',
                      activeState:
                        n === DUMP_JOB
                          ? over.dumping
                            ? 'activating'
                            : 'inactive'
                          : over.stopped?.includes(`${host}:${n}`)
                            ? 'inactive'
                            : 'active',
                      subState: 'running',
                      unitFileState: 'enabled',
                      needDaemonReload: false,
                    },
                  ]),
                ),
              };
            case 'haproxy_stat':
              return {
                kind: 'haproxy_stat',
                value: { ok: true, csv: csv(over.stat ?? 'haproxy-3.2-show-stat-up.csv') },
              };
            case 'http':
              return {
                kind: 'http',
                value: {
                  status: r.resolve
                    ? (over.site ?? 200)
                    : r.url.includes('10.0.0.11') && over.stat
                      ? 0
                      : 200,
                },
              };
            case 'sql':
              if (r.query === 'SELECT @@GLOBAL.read_only')
                return {
                  kind: 'sql',
                  value: { ok: true, output: over.primaryReadOnly ? '1' : '0' },
                };
              if (r.query.startsWith('SHOW'))
                return {
                  kind: 'sql',
                  value: {
                    ok: true,
                    output: over.replica ?? replicaStatus('mysql-9.7-replica-status-running'),
                  },
                };
              return {
                kind: 'sql',
                value: {
                  ok: true,
                  output:
                    host === 'web-01'
                      ? (over.primaryGtid ?? `${GTID}:1-9`)
                      : (over.replicaGtid ?? `${GTID}:1-9`),
                },
              };
            case 'listing':
              return r.dir.endsWith('/binlogs')
                ? archiveListing(over.archivedAgo, over.copiedAgo)
                : backupListing(over.backup);
            case 'http_text':
              return {
                kind: 'http_text',
                value: { ok: true, status: 200, body: over.alerts ?? '[]' },
              };
            default:
              throw new Error(`unexpected request ${r.kind}`);
          }
        }),
      ]),
    );

  it('each host asks for its roles only: units, and the lb its runtime API and health URLs, the replica its status', () => {
    // This inventory serves plain HTTP (lb_tls: false): the site is checked on lb_port.
    // The first lb is the monitor host (no monitor group): its services, and the alerts firing.
    assert.deepEqual(statusRequests(inventory, 'lb-01').map(factKey), [
      'units:haproxy,prometheus,prometheus-alertmanager',
      'haproxy_stat:9999',
      'http:www.foobar.com:80:127.0.0.1:http://www.foobar.com:80/healthz',
      'http::http://10.0.0.11:80/healthz',
      'http::http://10.0.0.12:80/healthz',
      'http_text:http://127.0.0.1:9093/api/v2/alerts?active=true&silenced=false&inhibited=false',
    ]);
    assert.deepEqual(
      statusRequests(inventory, 'web-01').map((r) => r.kind),
      ['units', 'sql', 'sql'],
    );
    // The replica takes the backups: its dumps' records, and whether a dump runs now.
    assert.deepEqual(statusRequests(inventory, 'web-02').map(factKey), [
      'units:foobar-app,foobar-mysql-backup.timer,foobar-mysql-binlogs.timer,foobar-mysql-verify.timer,mysql,nginx',
      'sql:local:b:SELECT @@GLOBAL.gtid_executed',
      'sql:local:v:SHOW REPLICA STATUS|SHOW SLAVE STATUS',
      'listing:/var/backups/foobar-mysql/dumps:.meta,.verify',
      'listing:/var/backups/foobar-mysql/binlogs:.archived,.copied',
      `units:${DUMP_JOB}`,
    ]);
  });

  it('healthy: exit 0, no problems, the replica 0 transactions behind over TLS', () => {
    const s = siteStatus(inventory, healthy(), NOW);
    assert.equal(s.verdict, 'healthy');
    assert.deepEqual(s.problems, []);
    assert.equal(statusExitCode(s.verdict), 0);
    assert.deepEqual(s.replicas, [
      {
        host: 'web-02',
        source: 'web-01',
        io: 'Yes',
        sql: 'Yes',
        secondsBehind: 0,
        lastError: '',
        tls: true,
        gtidGap: 0,
      },
    ]);
  });

  it('a backend down and its Nginx stopped: degraded (exit 1), each problem in words', () => {
    const s = siteStatus(
      inventory,
      healthy({ stopped: ['web-01:nginx'], stat: 'haproxy-3.2-show-stat-web-01-down.csv' }),
      NOW,
    );
    assert.equal(s.verdict, 'degraded');
    assert.deepEqual(s.problems, ['lb-01: backend web-01 is DOWN', 'web-01: nginx is stopped']);
    assert.equal(statusExitCode(s.verdict), 1);
  });

  it('replication broken, and a GTID gap counted across ranges', () => {
    const s = siteStatus(
      inventory,
      healthy({
        replica: replicaStatus('mysql-9.7-replica-status-io-error'),
        primaryGtid: `${GTID}:1-20:25`,
        replicaGtid: `${GTID}:1-9`,
      }),
      NOW,
    );
    assert.equal(s.verdict, 'degraded');
    assert.equal(s.replicas[0]!.gtidGap, 12);
    assert.match(
      s.problems.join('\n'),
      /web-02: replication is broken \(IO Connecting, SQL Yes: Error connecting to source/,
    );
  });

  it('the site not answering through the lb, or the lb unreachable: down (exit 2)', () => {
    assert.equal(siteStatus(inventory, healthy({ site: 503 }), NOW).verdict, 'down');
    const answers = healthy();
    answers.set('lb-01', { ok: false, error: 'lb-01: connect: no SSH answer' });
    const s = siteStatus(inventory, answers, NOW);
    assert.equal(s.verdict, 'down');
    assert.equal(statusExitCode(s.verdict), 2);
    assert.deepEqual(s.problems, ['lb-01 is unreachable: lb-01: connect: no SSH answer']);
  });

  it('a web host unreachable: degraded, not down, while the site answers', () => {
    const answers = healthy();
    answers.set('web-02', { ok: false, error: 'gone' });
    assert.equal(siteStatus(inventory, answers, NOW).verdict, 'degraded');
  });

  it('a primary that restarted and is read-only (every server starts so): degraded, saying to run apply', () => {
    const s = siteStatus(inventory, healthy({ primaryReadOnly: true }), NOW);
    assert.equal(s.verdict, 'degraded');
    assert.deepEqual(s.problems, [
      'web-01: the primary is read-only (it restarted since the last apply: run apply)',
    ]);
  });

  it('backups: the newest verified dump shown with its age; older than backup_max_age (26h): degraded', () => {
    const fresh = siteStatus(inventory, healthy(), NOW);
    assert.deepEqual(fresh.backups, [
      {
        host: 'web-02',
        maxAge: 26 * 3600,
        verified: { id: '20261204T000000Z', time: NOW - 3600, age: 3600 },
        archiveReaches: NOW - 600,
      },
    ]);
    const old = siteStatus(inventory, healthy({ backup: { age: 27 * 3600 } }), NOW);
    assert.equal(old.verdict, 'degraded');
    assert.deepEqual(old.problems, [
      'web-02: the newest verified backup is 27 h old (backup_max_age 26h)',
    ]);
  });

  it('backups: a newest dump that failed its verification, or lost its file, degrades; none verified says so', () => {
    const failed = siteStatus(inventory, healthy({ backup: { verify: 'failed' } }), NOW);
    assert.equal(failed.verdict, 'degraded');
    assert.match(
      failed.problems[0]!,
      /^web-02: the newest backup 20261204T000000Z is FAILED verification .*SHA-256/,
    );
    assert.equal(failed.problems[1], 'web-02: no verified backup');
    const gone = siteStatus(inventory, healthy({ backup: { fileGone: true } }), NOW);
    assert.match(gone.problems.join('\n'), /20261204T000000Z is MISSING \(its file is gone\)/);
  });

  it('backups: a binary log archive that has not run, or lags more than two intervals and 5 min: degraded', () => {
    assert.equal(
      siteStatus(inventory, healthy({ archivedAgo: 2 * 900 + 299 }), NOW).verdict,
      'healthy',
    );
    const late = siteStatus(inventory, healthy({ archivedAgo: 2 * 900 + 301 }), NOW);
    assert.deepEqual(late.problems, [
      'web-02: the binary log archive reaches 35 min back only (backup_binlog_interval 15min): point-in-time recovery stops there',
    ]);
    const never = siteStatus(inventory, healthy({ archivedAgo: null }), NOW);
    assert.match(never.problems.join('\n'), /the binary log archive has never run/);
  });

  it('alerts firing in Alertmanager: each a problem, status degraded; Alertmanager not answering is one too', () => {
    const firing = JSON.stringify([
      {
        labels: { alertname: 'BackendDown', severity: 'critical', host: 'lb-01' },
        annotations: { summary: 'HAProxy on lb-01 has web-01 DOWN in web' },
        startsAt: '2026-12-05T09:46:06.123Z',
        status: { state: 'active' },
      },
      {
        labels: { alertname: 'DiskFull', severity: 'warning' },
        annotations: { summary: 'silenced' },
        startsAt: '2026-12-05T09:40:00Z',
        status: { state: 'suppressed' },
      },
    ]);
    const s = siteStatus(inventory, healthy({ alerts: firing }), NOW);
    assert.equal(s.verdict, 'degraded');
    assert.deepEqual(s.problems, [
      'alert BackendDown (critical): HAProxy on lb-01 has web-01 DOWN in web',
    ]);
    assert.deepEqual(s.alerts, [
      {
        monitor: 'lb-01',
        name: 'BackendDown',
        severity: 'critical',
        summary: 'HAProxy on lb-01 has web-01 DOWN in web',
        since: '2026-12-05T09:46:06.123Z',
      },
    ]);
    const garbled = siteStatus(inventory, healthy({ alerts: '<html>' }), NOW);
    assert.deepEqual(garbled.problems, ["lb-01: Alertmanager's answer is not its list of alerts"]);
  });

  it('backups with backup_copy_host: no copy yet, or one older than the archive may be: degraded', () => {
    const web02 = inventory.hosts.get('web-02')!;
    web02.vars.backup_copy_host = 'lb-01';
    try {
      const fresh = siteStatus(inventory, healthy({ copiedAgo: 600 }), NOW);
      assert.equal(fresh.verdict, 'healthy', fresh.problems.join('\n'));
      assert.deepEqual(fresh.backups[0]!.copy, { host: 'lb-01', at: NOW - 600 });
      assert.deepEqual(siteStatus(inventory, healthy(), NOW).problems, [
        'web-02: no copy on lb-01 yet (backup_copy_host)',
      ]);
      assert.deepEqual(siteStatus(inventory, healthy({ copiedAgo: 2 * 900 + 301 }), NOW).problems, [
        'web-02: the copy on lb-01 is 35 min old (it follows each binary log archive, every 15min)',
      ]);
    } finally {
      delete web02.vars.backup_copy_host;
    }
  });

  it('backups: an applier held still by a running dump (no error) is no problem; stopped otherwise, it is', () => {
    const stopped = replicaStatus('mysql-9.7-replica-status-running').replace(
      /Replica_SQL_Running: Yes/,
      'Replica_SQL_Running: No',
    );
    assert.notEqual(stopped, replicaStatus('mysql-9.7-replica-status-running'));
    const paused = siteStatus(inventory, healthy({ replica: stopped, dumping: true }), NOW);
    assert.equal(paused.verdict, 'healthy', paused.problems.join('\n'));
    assert.equal(paused.replicas[0]!.pausedForBackup, true);
    const broken = siteStatus(inventory, healthy({ replica: stopped }), NOW);
    assert.equal(broken.verdict, 'degraded');
    assert.match(broken.problems.join('\n'), /web-02: replication is broken \(IO Yes, SQL No/);
  });
});

describe('status: two load balancers sharing a virtual address (keepalived)', () => {
  const project = requireProject(
    fixture('inventories', 'graph', 'two-lbs-vip.yml'),
    fixture('playbooks', 'engine.yml'),
    SITE,
  );
  const inventory = project.inventory;
  const VIP = '10.1.0.100';
  const upCsv = fs
    .readFileSync(fixture('status', 'haproxy-3.2-show-stat-up.csv'), 'utf8')
    .replace(/web-01/g, 'app-1')
    .replace(/web-02/g, 'app-2');
  const replicaRunning = (
    JSON.parse(
      fs.readFileSync(fixture('mysql', 'mariadb-10.11-replica-status-running.json'), 'utf8'),
    ) as { output: string }
  ).output;

  /** Every host healthy; `holders` have the virtual address on an interface. */
  const answers = (holders: string[]) =>
    new Map<string, HostAnswer>(
      [...inventory.hosts.keys()].map((host) => [
        host,
        {
          ok: true,
          facts: new FactView(
            new Map(
              statusRequests(inventory, host).map((r): [string, Fact] => {
                switch (r.kind) {
                  case 'units':
                    return [
                      factKey(r),
                      {
                        kind: 'units',
                        value: new Map(
                          r.names.map((n) => [
                            n,
                            {
                              name: n,
                              loadState: 'loaded',
                              activeState: 'active',
                              subState: 'running',
                              unitFileState: 'enabled',
                              needDaemonReload: false,
                            },
                          ]),
                        ),
                      },
                    ];
                  case 'listing':
                    return [
                      factKey(r),
                      r.dir.endsWith('/binlogs') ? archiveListing() : backupListing(),
                    ];
                  case 'exit':
                    assert.ok(r.script.includes(` ${VIP}/`), r.script);
                    return [factKey(r), { kind: 'exit', value: holders.includes(host) ? 0 : 1 }];
                  case 'haproxy_stat':
                    return [factKey(r), { kind: 'haproxy_stat', value: { ok: true, csv: upCsv } }];
                  case 'http':
                    return [factKey(r), { kind: 'http', value: { status: 200 } }];
                  case 'sql':
                    return [
                      factKey(r),
                      {
                        kind: 'sql',
                        value: {
                          ok: true,
                          output: r.query.startsWith('SHOW')
                            ? replicaRunning
                            : r.query.includes('read_only')
                              ? '0'
                              : '0-31-9\t0-31-9',
                        },
                      },
                    ];
                  case 'http_text':
                    return [
                      factKey(r),
                      { kind: 'http_text', value: { ok: true, status: 200, body: '[]' } },
                    ];
                  default:
                    throw new Error(`unexpected request ${r.kind}`);
                }
              }),
            ),
          ),
        },
      ]),
    );
  const vipProblems = (s: ReturnType<typeof siteStatus>) =>
    s.problems.filter((p) => p.includes('virtual address'));

  it('each lb asks whether it holds the address, and keepalived is among its services', () => {
    const kinds = statusRequests(inventory, 'lb-a');
    assert.deepEqual(kinds[0], {
      kind: 'units',
      names: ['haproxy', 'keepalived', 'prometheus', 'prometheus-alertmanager'],
    });
    assert.ok(kinds.some((r) => r.kind === 'exit' && r.script.includes(` ${VIP}/`)));
    assert.ok(!statusRequests(inventory, 'app-1').some((r) => r.kind === 'exit'));
  });

  it('one holder: healthy, the holder named', () => {
    const s = siteStatus(inventory, answers(['lb-a']), NOW);
    assert.deepEqual(s.virtualAddress, { address: VIP, holders: ['lb-a'] });
    assert.deepEqual(vipProblems(s), []);
    assert.equal(s.verdict, 'healthy', s.problems.join('\n'));
  });

  it('nobody holds it: down (users come in on it)', () => {
    const s = siteStatus(inventory, answers([]), NOW);
    assert.equal(s.verdict, 'down');
    assert.deepEqual(vipProblems(s), [`no load balancer holds the virtual address ${VIP}`]);
  });

  it('both hold it (split brain): degraded, both named', () => {
    const s = siteStatus(inventory, answers(['lb-a', 'lb-b']), NOW);
    assert.equal(s.verdict, 'degraded');
    assert.match(vipProblems(s).join(), /held by lb-a and lb-b at once/);
  });

  it('the master unreachable, the backup holds it: degraded, not down', () => {
    const a = answers(['lb-b']);
    a.set('lb-a', { ok: false, error: 'lb-a: connect: no SSH answer' });
    const s = siteStatus(inventory, a, NOW);
    assert.equal(s.verdict, 'degraded');
    assert.deepEqual(s.virtualAddress, { address: VIP, holders: ['lb-b'] });
    assert.deepEqual(s.problems, ['lb-a is unreachable: lb-a: connect: no SSH answer']);
  });
});
