import { z } from 'zod';
import {
  atLeast,
  identityQuery,
  parseBatch,
  parseIdentity,
  parseReplicaStatus,
  type Dialect,
  type MysqlIdentity,
  type ServerIdentity,
  type ServerVersion,
} from '../mysql';
import { quote } from '../core/shell';
import type { RemoteDatabase } from '../facts/types';
import type { Change } from './changes';
import {
  FINGERPRINT_FILE,
  fingerprint,
  needsRekey,
  parseFingerprints,
  sameSecret,
  siteKeyOf,
} from './fingerprints';
import { gtidMinus } from './gtid';
import { REPLICA_STATUS, requireSql, serverState, versionFact } from './mysql-common';
import type { ModuleContext, ModuleDefinition } from './module';
import { fingerprintWrite } from './mysql-user';
import { flag } from './arg-types';
import { PlanError } from './plan-error';

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
      "Compares the replica's real state with the wanted one and reports the seed, the source change and the wait for both threads, passwords masked. Refusals (same server_id or UUID, GTID off, errant transactions, a source that does not answer) fail the task in a dry run too. When the local server does not answer yet, the change is marked as decided during apply.",
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
  facts(args, ctx) {
    const remote = remoteOf(args, ctx);
    const identity = identityQuery(provisionalVersion(ctx));
    return [
      versionFact(),
      { kind: 'sql', query: identity },
      { kind: 'sql', ...REPLICA_STATUS },
      { kind: 'sql', query: USER_TABLES },
      { kind: 'content', path: FINGERPRINT_FILE },
      versionFact(remote),
      { kind: 'sql', query: identity, remote },
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
    const remote = remoteOf(args, ctx);
    const source = serverState(facts, ctx.vars.mysql_flavor, remote);
    const prints = parseFingerprints(facts.content(FINGERPRINT_FILE));
    const key = fingerprintKey(args);
    const siteKey = siteKeyOf(ctx.vars);
    const samePassword = sameSecret(prints, key, args.password, siteKey);
    /** The record of the password, rewritten when it changes or is re-keyed. */
    const record = (): Change => {
      const updated = new Map(prints);
      updated.set(key, fingerprint(key, args.password, siteKey));
      return fingerprintWrite(updated, facts.content(FINGERPRINT_FILE) !== undefined);
    };
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
    const identity = identityQuery(provisionalVersion(ctx));
    const mine = parseIdentity(
      local.version.flavor,
      requireSql(facts, { query: identity }, 'identity'),
    );
    const theirs = parseIdentity(
      source.version.flavor,
      requireSql(facts, { query: identity, remote }, 'identity of the source'),
    );
    checkIdentities(mine, theirs, args);

    const status = parseReplicaStatus(requireSql(facts, REPLICA_STATUS, 'replica status'));
    const port = Number(args.source_port);
    const sameSource =
      status !== undefined &&
      status.sourceHost === args.source_host &&
      status.sourcePort === port &&
      status.sourceUser === args.user &&
      status.autoPosition;
    const running = status?.ioRunning === 'Yes' && status?.sqlRunning === 'Yes';
    // TLS as asked: on, and checked against the CA when one is given.
    const tlsGap = !args.tls
      ? undefined
      : status?.sslAllowed !== true
        ? 'replication is not over TLS'
        : args.tls_ca !== undefined &&
            (status.sslCaFile !== args.tls_ca || status.sslVerifyServerCert !== true)
          ? `the source's certificate is not checked against ${args.tls_ca}`
          : undefined;

    const d = local.dialect;
    const changes: Change[] = [];
    const readOnly =
      mine.readOnly && (mine.flavor === 'mariadb' || (mine as MysqlIdentity).superReadOnly);
    if (sameSource && samePassword && running && !tlsGap) {
      if (!readOnly) changes.push(sql(d.readOnly(true), 'the replica is writable'));
      // The same password: only its record changes (secret_fingerprint_key).
      if (needsRekey(prints, key, siteKey)) changes.push(record());
      return changes;
    }

    const reasons: string[] = [];
    if (!status) reasons.push('replication is not set up');
    else if (!sameSource)
      reasons.push(
        `the source is ${status.sourceUser}@${status.sourceHost}:${status.sourcePort}${status.autoPosition ? '' : ' without auto-position'}`,
      );
    else if (tlsGap) reasons.push(tlsGap);
    else if (!samePassword)
      reasons.push(
        prints.has(key)
          ? 'the replication password changed'
          : 'no record of the replication password',
      );
    else
      reasons.push(
        `threads: IO ${status.ioRunning}, SQL ${status.sqlRunning}${status.lastIoError ? ` (${status.lastIoError})` : ''}${status.lastSqlError ? ` (${status.lastSqlError})` : ''}`,
      );

    const stop = status ? [d.stopReplica()] : [];
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
          [...stop, ...d.readOnly(false), resetGtids(local.version)],
          'a new replica: prepared for its seed',
        ),
      );
      changes.push(seedTransfer(args, source.version));
      stop.length = 0;
    }
    const change = d.changeSource({
      host: args.source_host,
      port,
      user: args.user,
      password: args.password,
      tls: args.tls ? { ca: args.tls_ca } : undefined,
    });
    changes.push({
      kind: 'sql',
      statements: [...stop, ...d.readOnly(true), change.sql, d.startReplica()],
      redacted: [...stop, ...d.readOnly(true), change.redacted, d.startReplica()],
      reason: reasons.join('; '),
    });
    changes.push({
      kind: 'await-replica',
      statusQuery: d.showReplicaStatus(),
      timeoutSeconds: args.timeout,
    });
    if (!samePassword || needsRekey(prints, key, siteKey)) {
      changes.push(record());
    }
    return changes;
  },
};

function sql(statements: string[], reason: string): Change {
  return { kind: 'sql', statements, redacted: statements, reason };
}

/** Refuses pairs that cannot replicate, naming the fix. */
function checkIdentities(
  mine: ServerIdentity,
  theirs: ServerIdentity,
  args: MysqlReplicationArgs,
): void {
  if (mine.serverId === theirs.serverId) {
    throw new PlanError(
      `the replica and its source ${args.source_host} have the same server_id ${mine.serverId}: give each a unique server_id in the inventory`,
    );
  }
  if (mine.flavor === 'mysql' && theirs.flavor === 'mysql') {
    if (mine.serverUuid === theirs.serverUuid) {
      throw new PlanError(
        `the replica and its source ${args.source_host} have the same server UUID ${mine.serverUuid} (a cloned machine?): on the replica, stop mysqld, remove /var/lib/mysql/auto.cnf and start it again to get a new UUID`,
      );
    }
    for (const [who, id] of [
      ['this replica', mine],
      [`the source ${args.source_host}`, theirs],
    ] as const) {
      if (id.gtidMode !== 'ON' || id.enforceGtidConsistency !== 'ON') {
        throw new PlanError(
          `GTID is off on ${who} (gtid_mode=${id.gtidMode}, enforce_gtid_consistency=${id.enforceGtidConsistency}): auto-position needs both ON in my.cnf`,
        );
      }
    }
    const errant = gtidMinus(mine.gtidExecuted, theirs.gtidExecuted);
    if (errant) {
      throw new PlanError(
        `this replica executed transactions its source never had (errant GTIDs ${errant}): its data diverges; rebuild it from the source`,
      );
    }
  }
  if (mine.flavor === 'mariadb' && theirs.flavor === 'mariadb') {
    // Writes of this server's own are fine only where the source holds them too
    // (a former primary whose writes were replicated before it was replaced):
    // the source's binary log state must reach each of them.
    const last = (state: string) =>
      new Map(
        state
          .split(',')
          .filter(Boolean)
          .map((g) => g.split('-'))
          .map(([domain, server, seq]) => [`${domain}-${server}`, Number(seq)]),
      );
    const theirsLast = last(theirs.gtidBinlogState);
    const own = [...last(mine.gtidBinlogState || mine.gtidBinlogPos)]
      .filter(([key]) => key.split('-')[1] === String(mine.serverId))
      .filter(([key, seq]) => (theirsLast.get(key) ?? 0) < seq)
      .map(([key, seq]) => `${key}-${seq}`);
    if (own.length) {
      throw new PlanError(
        `this replica wrote transactions of its own (GTID ${own.join(',')}): its data diverges from the source; rebuild it from the source`,
      );
    }
  }
}

function hasNoHistory(id: ServerIdentity): boolean {
  return id.flavor === 'mysql'
    ? id.gtidExecuted.trim() === ''
    : id.gtidSlavePos.trim() === '' && id.gtidBinlogPos.trim() === '';
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
