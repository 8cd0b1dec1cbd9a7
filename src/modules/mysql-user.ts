import { z } from 'zod';
import { flag, templated } from './arg-types';
import {
  parseBatch,
  parseGrants,
  showGrantsQuery,
  sqlAccount,
  sqlString,
  type Grant,
} from '../mysql';
import type { Dialect } from '../mysql/dialect';
import { grantStatement } from '../mysql/statements';
import type { FactRequest, FileFact } from '../facts/types';
import type { Change } from '../changes/model';
import {
  FINGERPRINT_FILE,
  fingerprint,
  formatFingerprints,
  parseFingerprints,
  needsRekey,
  sameSecret,
  warmFingerprint,
  siteKeyOf,
} from './fingerprints';
import { serverState, versionFact } from './mysql-common';
import type { FactView } from './fact-view';
import type { ModuleDefinition } from './module';
import { PlanError } from './plan-error';

const list = (v: string | string[]) =>
  (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);

export const mysqlUserArgs = z
  .strictObject({
    name: z.string().min(1).max(32).describe('User name.'),
    password: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Password: give it from a secret, e.g. "{{mysql_app_password}}". Not with auth: socket.',
      ),
    auth: z
      .enum(['password', 'socket'])
      .default('password')
      .describe(
        "socket: no password; only the system user of the same name logs in, over the server's socket (MySQL auth_socket, MariaDB unix_socket). hosts must be localhost.",
      ),
    hosts: z
      .union([z.string(), z.array(z.string())])
      .describe('Hosts the user may connect from (a list, or comma-separated): one account each.'),
    grants: z
      .array(
        templated(
          /^$|^(\*\.\*|[A-Za-z0-9_]+\.(\*|[A-Za-z0-9_]+)):[A-Za-z_ ,]+$/,
          'a grant is "db.*:PRIV,PRIV" or "db.table:PRIV", e.g. "*.*:REPLICATION SLAVE"',
        ),
      )
      .default([])
      .describe(
        'Exactly these privileges: "db.*:PRIV,PRIV" (or "db.table:PRIV"); dynamic ones (SHOW_ROUTINE) too. Others are revoked. An empty item (a template condition that does not hold) is dropped.',
      ),
    exclusive: z.boolean().default(true).describe('Drop accounts of this name on other hosts.'),
    require_ssl: flag
      .optional()
      .describe(
        "true: the accounts may only connect over TLS (REQUIRE SSL), but for 'localhost', which connects over the server's socket where TLS does not apply; false: REQUIRE NONE.",
      ),
  })
  .refine((a) => (a.auth === 'socket') === (a.password === undefined), {
    message: 'give a password, or auth: socket (and no password)',
  })
  .refine((a) => a.auth !== 'socket' || list(a.hosts).every((h) => h === 'localhost'), {
    message: 'auth: socket logs in over the local socket: hosts must be localhost',
  });

export type MysqlUserArgs = z.infer<typeof mysqlUserArgs>;

/** Each account of the name: its host and its TLS requirement ('' none, ANY = REQUIRE SSL). */
const accountsQuery = (name: string) =>
  `SELECT host, ssl_type FROM mysql.user WHERE user = ${sqlString(name)}`;
const fingerprintKey = (user: string, host: string) => `mysql:${sqlAccount(user, host)}`;
/** Each account of the name: its host and its authentication plugin. */
const pluginsQuery = (name: string) =>
  `SELECT host, plugin FROM mysql.user WHERE user = ${sqlString(name)}`;

function wantedGrants(args: MysqlUserArgs): Grant[] {
  return args.grants
    .filter((g) => g !== '')
    .map((g) => {
      const [on, privs] = g.split(':') as [string, string];
      return {
        on,
        privileges: privs
          .split(',')
          .map((p) => p.trim().toUpperCase())
          .map((p) => (p === 'ALL' ? 'ALL PRIVILEGES' : p))
          .sort(),
      };
    });
}

/** Exactly the wanted privileges: nothing missing, nothing more (USAGE aside). */
function sameGrants(real: Grant[], wanted: Grant[]): boolean {
  // One target's privileges together: MySQL prints its dynamic privileges
  // (SHOW_ROUTINE, ...) on a line of their own beside the static ones.
  const norm = (gs: Grant[]) => {
    const byTarget = new Map<string, Set<string>>();
    for (const g of gs)
      for (const p of g.privileges)
        if (p !== 'USAGE') byTarget.set(g.on, (byTarget.get(g.on) ?? new Set()).add(p));
    return [...byTarget]
      .map(([on, privileges]) => `${on}:${[...privileges].sort().join(',')}`)
      .sort()
      .join(';');
  };
  return norm(real) === norm(wanted);
}

export const mysqlUserModule: ModuleDefinition<MysqlUserArgs> = {
  name: 'mysql_user',
  summary:
    'A database user on given hosts, with exactly the given grants; its password rotated when the secret changes.',
  args: mysqlUserArgs,
  docs: {
    reads: ['sql', 'content'],
    dryRun:
      'Reports the statements it would run, passwords shown as `********`, and why (missing account, password changed, grants differ). When the database server does not answer yet, the change is marked as decided during apply.',
    example: {
      name: "The application's database user",
      args: {
        name: '{{mysql_app_user}}',
        password: '{{mysql_app_password}}',
        hosts: 'localhost,10.0.0.11,10.0.0.12',
        grants: ['{{mysql_database}}.*:SELECT,INSERT,UPDATE,DELETE,CREATE,INDEX'],
      },
    },
  },
  facts(args) {
    const out: FactRequest[] = [
      versionFact(),
      { kind: 'sql', query: accountsQuery(args.name) },
      { kind: 'content', path: FINGERPRINT_FILE },
    ];
    for (const host of list(args.hosts))
      out.push({ kind: 'sql', query: showGrantsQuery(args.name, host) });
    if (args.auth === 'socket') out.push({ kind: 'sql', query: pluginsQuery(args.name) });
    return out;
  },
  warm(args) {
    if (args.password === undefined) return;
    for (const host of list(args.hosts))
      warmFingerprint(fingerprintKey(args.name, host), args.password);
  },
  plan(args, facts, ctx) {
    const server = serverState(facts, ctx.vars.mysql_flavor);
    if (!server.up) {
      return [
        {
          kind: 'deferred',
          reason: `the database server does not answer yet (${server.reason}): user ${args.name} would be set up`,
        },
      ];
    }
    const accounts = facts.sql({ query: accountsQuery(args.name) });
    if (!accounts.ok)
      throw new PlanError(`cannot list the accounts of ${args.name}: ${accounts.error}`);
    const rows = parseBatch(accounts.output);
    const prints = parseFingerprints(facts.content(FINGERPRINT_FILE));
    const plan: AccountsPlan = {
      args,
      facts,
      dialect: server.dialect,
      existing: new Set(rows.map((r) => r[0] ?? '')),
      sslType: new Map(rows.map((r) => [r[0] ?? '', (r[1] ?? '').toUpperCase()])),
      prints,
      siteKey: siteKeyOf(ctx.vars),
      wanted: wantedGrants(args),
      statements: [],
      reasons: [],
      updated: new Map(prints),
      plugins: args.auth === 'socket' ? pluginsOf(facts, args.name) : new Map(),
    };
    const hosts = list(args.hosts);
    for (const host of hosts) planAccount(plan, host);
    if (args.exclusive) {
      for (const host of plan.existing) {
        if (hosts.includes(host)) continue;
        plan.statements.push(plain(`DROP USER ${sqlAccount(args.name, host)}`));
        plan.updated.delete(fingerprintKey(args.name, host));
        plan.reasons.push(`${sqlAccount(args.name, host)} is not wanted`);
      }
    }
    return accountChanges(plan, facts.content(FINGERPRINT_FILE) !== undefined);
  },
};

/** The user's accounts as they are and as wanted, and what the plan has found to do so far. */
interface AccountsPlan {
  args: MysqlUserArgs;
  facts: FactView;
  dialect: Dialect;
  /** The hosts the user has an account for, and each one's ssl_type. */
  existing: Set<string>;
  sslType: Map<string, string>;
  /** The password fingerprints recorded on the host, and the site's key. */
  prints: ReadonlyMap<string, string>;
  siteKey: string | undefined;
  wanted: Grant[];
  statements: { sql: string; redacted: string }[];
  reasons: string[];
  /** The fingerprint record after the plan. */
  updated: Map<string, string>;
  /** With auth: socket, each account's authentication plugin. */
  plugins: Map<string, string>;
}

function pluginsOf(facts: FactView, name: string): Map<string, string> {
  const r = facts.sql({ query: pluginsQuery(name) });
  if (!r.ok) throw new PlanError(`cannot read the accounts of ${name}: ${r.error}`);
  return new Map(parseBatch(r.output).map((row) => [row[0] ?? '', row[1] ?? '']));
}

/** An account logged in by the socket: made so, or switched to it; no password, no fingerprint. */
function planSocketAuth(plan: AccountsPlan, host: string): boolean {
  const { args, dialect: d, statements, reasons, updated } = plan;
  const account = sqlAccount(args.name, host);
  updated.delete(fingerprintKey(args.name, host));
  if (!plan.existing.has(host)) {
    statements.push(...d.socketUser(args.name, host, true).map(plain));
    for (const g of plan.wanted) statements.push(plain(grantFor(g, args.name, host)));
    reasons.push(`${account} is missing`);
    return true;
  }
  if (plan.plugins.get(host) !== d.socketPlugin) {
    statements.push(...d.socketUser(args.name, host, false).map(plain));
    reasons.push(`${account} logs in by ${plan.plugins.get(host) || 'a password'}, not the socket`);
  }
  return false;
}

/** One account (user@host): created, or its password, TLS and grants made as wanted. */
function planAccount(plan: AccountsPlan, host: string): void {
  if (plan.args.auth === 'socket') {
    if (!planSocketAuth(plan, host)) planGrants(plan, host);
    return;
  }
  const { args, dialect: d, prints, siteKey, wanted, statements, reasons, updated } = plan;
  const password = args.password!;
  const account = sqlAccount(args.name, host);
  const key = fingerprintKey(args.name, host);
  const requireSsl = host === 'localhost' && args.require_ssl ? false : args.require_ssl;
  if (!plan.existing.has(host)) {
    statements.push(d.createUser({ user: args.name, host, password, requireSsl }));
    for (const g of wanted) statements.push(plain(grantFor(g, args.name, host)));
    updated.set(key, fingerprint(key, password, siteKey));
    reasons.push(`${account} is missing`);
    return;
  }
  if (!sameSecret(prints, key, password, siteKey)) {
    statements.push(d.alterUserPassword({ user: args.name, host, password }));
    updated.set(key, fingerprint(key, password, siteKey));
    reasons.push(
      `${account}: ${prints.has(key) ? 'the password changed' : 'no record of its password'}`,
    );
  } else if (needsRekey(prints, key, siteKey)) {
    // The same password: only its record changes (secret_fingerprint_key).
    updated.set(key, fingerprint(key, password, siteKey));
  }
  if (requireSsl !== undefined) {
    const now = plan.sslType.get(host) ?? '';
    const requires = now !== '' && now !== 'NONE';
    if (requires !== requireSsl || (requireSsl && now !== 'ANY')) {
      statements.push(
        plain(`ALTER USER ${account} ${requireSsl ? 'REQUIRE SSL' : 'REQUIRE NONE'}`),
      );
      reasons.push(`${account}: ${requireSsl ? 'TLS is not required' : 'TLS is required'}`);
    }
  }
  planGrants(plan, host);
}

/** Exactly the wanted grants on an existing account. */
function planGrants(plan: AccountsPlan, host: string): void {
  const { args, wanted, statements, reasons } = plan;
  const account = sqlAccount(args.name, host);
  const grants = plan.facts.sql({ query: showGrantsQuery(args.name, host) });
  const real = grants.ok ? parseGrants(grants.output.split('\n').filter(Boolean)) : [];
  if (!sameGrants(real, wanted)) {
    statements.push(plain(`REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${account}`));
    for (const g of wanted) statements.push(plain(grantFor(g, args.name, host)));
    reasons.push(`${account}: grants differ`);
  }
}

/** The statements in one SQL change, and the fingerprint record when it changed. */
function accountChanges(plan: AccountsPlan, recordExists: boolean): Change[] {
  const { statements, prints, updated } = plan;
  const changes: Change[] = [];
  if (statements.length > 0)
    changes.push({
      kind: 'sql',
      statements: statements.map((s) => s.sql),
      redacted: statements.map((s) => s.redacted),
      reason: plan.reasons.join('; '),
    });
  if (updated.size !== prints.size || [...updated].some(([k, v]) => prints.get(k) !== v))
    changes.push(fingerprintWrite(updated, recordExists));
  return changes;
}

const plain = (sql: string) => ({ sql, redacted: sql });

function grantFor(g: Grant, user: string, host: string): string {
  const [db, table] = g.on.split('.') as [string, string];
  return grantStatement(
    g.privileges,
    db === '*' ? undefined : db,
    user,
    host,
    table === '*' ? undefined : table,
  );
}

/**
 * The fingerprint record, rewritten whole. It holds no password, but a
 * fingerprint could be guessed from offline, so no output shows it.
 */
export function fingerprintWrite(map: ReadonlyMap<string, string>, existed: boolean): Change {
  const before: FileFact = {
    path: FINGERPRINT_FILE,
    exists: existed,
    ...(existed ? { type: 'file' as const } : {}),
  };
  return {
    kind: 'write',
    path: FINGERPRINT_FILE,
    content: Buffer.from(formatFingerprints(map)),
    mode: '0600',
    owner: 'root',
    group: 'root',
    backup: false,
    before,
    secret: false,
    conceal: 'secret fingerprints',
  };
}
