import { z } from 'zod';
import {
  atLeast,
  identityQuery,
  parseBatch,
  parseIdentity,
  parseReplicaStatus,
  type Dialect,
  type MysqlIdentity,
  type ReplicaStatus,
  type ServerIdentity,
  type ServerVersion,
} from '../mysql';
import { quote } from '../core/shell';
import type { RemoteDatabase } from '../facts/types';
import type { Change } from '../changes/model';
import {
  FINGERPRINT_FILE,
  fingerprint,
  needsRekey,
  parseFingerprints,
  sameSecret,
  warmFingerprint,
  siteKeyOf,
} from './fingerprints';
import { REPLICA_STATUS, requireSql, serverState, versionFact } from './mysql-common';
import type { FactView } from './fact-view';
import type { ModuleContext, ModuleDefinition } from './module';
import { fingerprintWrite } from './mysql-user';
import { flag } from './arg-types';
import { PlanError } from './plan-error';
import {
  checkChannel,
  checkApplier,
  checkGtidOn,
  checkIdentities,
  hasNoHistory,
  mayHoldErrant,
  tlsGapOf,
} from './replica-checks';

export const mysqlReplicationArgs = z.strictObject({
  source_host: z
    .string()
    .min(1)
    .describe('Address of the source (primary), as the replica reaches it.'),
  source_port: z
    .union([z.number().int(), z.string()])
    .default(3306)
    .describe('Port of the source.'),
  source_inventory_host: z
    .string()
    .min(1)
    .describe("The source's inventory name: seeding reads from it."),
  user: z.string().min(1).describe('Replication user on the source.'),
  password: z.string().min(1).describe('Its password: give it from a secret.'),
  tls: flag.default(false).describe('Replicate over TLS.'),
  tls_ca: z
    .string()
    .optional()
    .transform((v) => v || undefined)
    .describe("CA file on the replica to verify the source's certificate."),
  seed: z
    .boolean()
    .default(true)
    .describe("Copy the source's data first when it has tables and this replica is new."),
  timeout: z
    .number()
    .int()
    .min(5)
    .default(60)
    .describe('Seconds to wait for both replication threads.'),
});

export type MysqlReplicationArgs = z.infer<typeof mysqlReplicationArgs>;

const USER_TABLES =
  "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema NOT IN ('mysql','sys','information_schema','performance_schema')";

/** The client's refusal of a login (MySQL and MariaDB: error 1045). */
const ACCESS_DENIED = /\bERROR 1045\b|Access denied for user/;

function remoteOf(args: MysqlReplicationArgs, ctx: ModuleContext): RemoteDatabase {
  return {
    host: args.source_host,
    port: Number(args.source_port),
    user: args.user,
    password: args.password,
    // The replication account may REQUIRE SSL: so do the checks made as it,
    // verifying the source as replication itself does (its CA, its address).
    ...(args.tls
      ? {
          tls: ctx.vars.mysql_flavor === 'mariadb' ? 'mariadb' : 'mysql',
          ...(args.tls_ca ? { ca: args.tls_ca } : {}),
        }
      : {}),
  };
}

/** Identity queries need the flavour; the inventory names it and the version fact confirms it. */
function provisionalVersion(ctx: ModuleContext): ServerVersion {
  const flavor = ctx.vars.mysql_flavor === 'mariadb' ? 'mariadb' : 'mysql';
  return flavor === 'mariadb'
    ? { flavor, major: 10, minor: 11, patch: 0, raw: 'mariadb' }
    : { flavor, major: 8, minor: 4, patch: 0, raw: 'mysql' };
}

const fingerprintKey = (args: MysqlReplicationArgs) =>
  `mysql-replication:${args.user}@${args.source_host}:${args.source_port}`;

export const mysqlReplicationModule: ModuleDefinition<MysqlReplicationArgs> = {
  name: 'mysql_replication',
  summary:
    'Make this server a replica of its source with GTID auto-positioning: compares the real state first, seeds a new replica, and checks identities and errant transactions.',
  args: mysqlReplicationArgs,
  long: true,
  docs: {
    reads: ['sql', 'content'],
    dryRun:
      "Compares the replica's real state with the wanted one and reports the seed, the source change and the wait for both threads, passwords masked. Refusals (same server_id or UUID, GTID off, errant transactions, an applier stopped on a data error, a source that does not answer) fail the task in a dry run too. The source is logged in to only when the replica's own state leaves a doubt (see Replication in the README). When the local server does not answer yet, the change is marked as decided during apply.",
    example: {
      name: 'Replication from the primary',
      args: {
        source_host: '10.0.0.11',
        source_inventory_host: 'web-01',
        user: '{{mysql_replication_user}}',
        password: '{{mysql_replication_password}}',
        tls: '{{mysql_tls}}',
        tls_ca: '/etc/mysql/tls/ca.crt',
      },
    },
  },
  facts(_args, ctx) {
    const identity = identityQuery(provisionalVersion(ctx));
    return [
      versionFact(),
      { kind: 'sql', query: identity },
      { kind: 'sql', ...REPLICA_STATUS },
      { kind: 'sql', query: USER_TABLES },
      { kind: 'content', path: FINGERPRINT_FILE },
    ];
  },
  warm(args) {
    warmFingerprint(fingerprintKey(args), args.password);
  },
  moreFacts(args, facts, ctx) {
    const view = replicaView(args, facts, ctx);
    if (!view || trusted(view)) return [];
    const remote = remoteOf(args, ctx);
    return [
      versionFact(remote),
      { kind: 'sql', query: identityQuery(provisionalVersion(ctx)), remote },
    ];
  },
  plan(args, facts, ctx) {
    const local = serverState(facts, ctx.vars.mysql_flavor);
    if (!local.up) {
      return [
        {
          kind: 'deferred',
          reason: `the database server does not answer yet (${local.reason}): replication from ${args.source_host} would be set up`,
        },
      ];
    }
    const view = replicaView(args, facts, ctx)!;
    const { mine, status, prints, key, siteKey, samePassword } = view;
    checkGtidOn(mine, 'this replica');
    checkApplier(status);
    /** The record of the password, rewritten when it changes or is re-keyed. */
    const record = (): Change => {
      const updated = new Map(prints);
      updated.set(key, fingerprint(key, args.password, siteKey));
      return fingerprintWrite(updated, facts.content(FINGERPRINT_FILE) !== undefined);
    };
    /** Replication as wanted: at most read-only set again, and the record re-keyed. */
    const converged = (): Change[] => [
      ...(view.readOnly ? [] : [sql(view.dialect.readOnly(true), 'the replica is writable')]),
      // The same password: only its record changes (secret_fingerprint_key).
      ...(needsRekey(prints, key, siteKey) ? [record()] : []),
    ];
    if (trusted(view)) {
      // The replica's own state proves its source: no login to it (see trusted()).
      checkChannel(mine, status!, args.source_host);
      return converged();
    }
    const remote = remoteOf(args, ctx);
    const source = serverState(facts, ctx.vars.mysql_flavor, remote);
    if (!source.up) {
      // A new password (or account) is set on the source by its own task,
      // earlier in the same run: a dry run cannot log in with it yet.
      if (!samePassword && ACCESS_DENIED.test(source.reason))
        return [
          {
            kind: 'deferred',
            reason: `the source ${args.source_host}:${args.source_port} refuses ${args.user} with the new replication password (${source.reason}): the source's own task sets it earlier in the same run; replication from it would then use it`,
          },
        ];
      throw new PlanError(
        `the source ${args.source_host}:${args.source_port} does not answer to ${args.user} from this replica: ${source.reason}`,
      );
    }
    const theirs = parseIdentity(
      source.version.flavor,
      requireSql(
        facts,
        { query: identityQuery(provisionalVersion(ctx)), remote },
        'identity of the source',
      ),
    );
    checkIdentities(mine, theirs, args.source_host);
    if (view.converged) return converged();
    return setUp(args, facts, view, source.version, record);
  },
};

/** What the replica's own facts say, or undefined when its server does not answer yet. */
interface ReplicaView {
  dialect: Dialect;
  version: ServerVersion;
  mine: ServerIdentity;
  status: ReplicaStatus | undefined;
  prints: Map<string, string>;
  key: string;
  siteKey: string | undefined;
  samePassword: boolean;
  sameSource: boolean;
  running: boolean;
  tlsGap: string | undefined;
  readOnly: boolean;
  /** Replication runs from the wanted source, as wanted, with the recorded password. */
  converged: boolean;
}

function replicaView(
  args: MysqlReplicationArgs,
  facts: FactView,
  ctx: ModuleContext,
): ReplicaView | undefined {
  const local = serverState(facts, ctx.vars.mysql_flavor);
  if (!local.up) return undefined;
  const mine = parseIdentity(
    local.version.flavor,
    requireSql(facts, { query: identityQuery(provisionalVersion(ctx)) }, 'identity'),
  );
  const status = parseReplicaStatus(requireSql(facts, REPLICA_STATUS, 'replica status'));
  const prints = parseFingerprints(facts.content(FINGERPRINT_FILE));
  const key = fingerprintKey(args);
  const siteKey = siteKeyOf(ctx.vars);
  const samePassword = sameSecret(prints, key, args.password, siteKey);
  const sameSource =
    status !== undefined &&
    status.sourceHost === args.source_host &&
    status.sourcePort === Number(args.source_port) &&
    status.sourceUser === args.user &&
    status.autoPosition;
  const running = status?.ioRunning === 'Yes' && status?.sqlRunning === 'Yes';
  const tlsGap = tlsGapOf(Boolean(args.tls), args.tls_ca, status);
  return {
    dialect: local.dialect,
    version: local.version,
    mine,
    status,
    prints,
    key,
    siteKey,
    samePassword,
    sameSource,
    running,
    tlsGap,
    readOnly: mine.readOnly && (mine.flavor === 'mariadb' || (mine as MysqlIdentity).superReadOnly),
    converged: sameSource && samePassword && running && !tlsGap,
  };
}

/**
 * The replica's own state proves its source healthy, so the check needs no
 * login to the source: replication runs from it as wanted (the source took
 * this account's password when the channel connected, and refuses a channel
 * from a server with its own server_id or UUID, or with GTID off), and the
 * replica holds no transaction the source would not have judged when the
 * channel connected (see mayHoldErrant). Anything else is checked on the
 * source itself.
 */
function trusted(view: ReplicaView): boolean {
  return view.converged && !mayHoldErrant(view.mine, view.status!);
}

/** Replication (re)configured: seeded first when the replica is new. */
function setUp(
  args: MysqlReplicationArgs,
  facts: FactView,
  view: ReplicaView,
  sourceVersion: ServerVersion,
  record: () => Change,
): Change[] {
  const { status, dialect: d, mine } = view;
  const stop = status ? [d.stopReplica()] : [];
  const changes: Change[] = [];
  const myTables = Number(
    parseBatch(requireSql(facts, { query: USER_TABLES }, 'tables of the replica'))[0]?.[0] ?? 0,
  );
  // A new replica (no replication and no transaction history) is seeded from its
  // source: the export sends nothing when the source holds no tables (a fresh
  // pair), and the binary logs bring the rest. A replica with history (its
  // settings were reset) resumes from its own GTID position instead.
  if (!status && args.seed && hasNoHistory(mine)) {
    if (myTables > 0) {
      throw new PlanError(
        `this new replica already holds ${myTables} table(s): refusing to seed over them (empty it, or set seed: false if it is a consistent copy of its source)`,
      );
    }
    changes.push(
      sql(
        [...stop, ...d.readOnly(false), resetGtids(view.version)],
        'a new replica: prepared for its seed',
      ),
    );
    changes.push(seedTransfer(args, sourceVersion));
    stop.length = 0;
  }
  const change = d.changeSource({
    host: args.source_host,
    port: Number(args.source_port),
    user: args.user,
    password: args.password,
    tls: args.tls ? { ca: args.tls_ca } : undefined,
  });
  changes.push({
    kind: 'sql',
    statements: [...stop, ...d.readOnly(true), change.sql, d.startReplica()],
    redacted: [...stop, ...d.readOnly(true), change.redacted, d.startReplica()],
    reason: reasonOf(view),
  });
  changes.push({
    kind: 'await-replica',
    statusQuery: d.showReplicaStatus(),
    timeoutSeconds: args.timeout,
  });
  if (!view.samePassword || needsRekey(view.prints, view.key, view.siteKey)) changes.push(record());
  return changes;
}

/** Why replication is (re)configured. */
function reasonOf(view: ReplicaView): string {
  const { status } = view;
  if (!status) return 'replication is not set up';
  if (!view.sameSource)
    return `the source is ${status.sourceUser}@${status.sourceHost}:${status.sourcePort}${status.autoPosition ? '' : ' without auto-position'}`;
  if (view.tlsGap) return view.tlsGap;
  if (!view.samePassword)
    return view.prints.has(view.key)
      ? 'the replication password changed'
      : 'no record of the replication password';
  return `threads: IO ${status.ioRunning}, SQL ${status.sqlRunning}${status.lastIoError ? ` (${status.lastIoError})` : ''}${status.lastSqlError ? ` (${status.lastSqlError})` : ''}`;
}

function sql(statements: string[], reason: string): Change {
  return { kind: 'sql', statements, redacted: statements, reason };
}

function resetGtids(v: ServerVersion): string {
  if (v.flavor === 'mysql' && atLeast(v, 8, 4)) return 'RESET BINARY LOGS AND GTIDS';
  return 'RESET MASTER';
}

/** A consistent dump of the source, restored here with its GTID position. */
function seedTransfer(args: MysqlReplicationArgs, source: ServerVersion): Change {
  const common =
    '--single-transaction --all-databases --triggers --routines --events --default-character-set=utf8mb4';
  const dump =
    source.flavor === 'mysql'
      ? `mysqldump ${common} --set-gtid-purged=ON`
      : `mysqldump ${common} --gtid --master-data=1`;
  // Nothing to copy from a source without tables: its binary logs hold everything.
  const exportScript = `fb_n=$(mysql --batch --skip-column-names -e ${quote(USER_TABLES)}) || exit 1; if [ "$fb_n" -gt 0 ]; then ${dump}; fi`;
  return {
    kind: 'transfer',
    from: args.source_inventory_host,
    exportScript,
    // The import must not write this replica's own binary log: its transactions are the source's.
    importScript:
      "{ echo 'SET SESSION sql_log_bin=0;'; cat; } | mysql --default-character-set=utf8mb4",
    reason: `seed this replica with a consistent dump of ${args.source_inventory_host} when it holds tables (mysqldump --single-transaction, ${source.flavor === 'mysql' ? 'GTID_PURGED' : 'gtid_slave_pos'} carried over)`,
  };
}

export type { Dialect };
