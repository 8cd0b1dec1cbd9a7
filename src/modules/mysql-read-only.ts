import { z } from 'zod';
import { parseBatch } from '../mysql';
import { flag } from './arg-types';
import { READ_ONLY, serverState, versionFact } from './mysql-common';
import type { ModuleDefinition } from './module';

export const mysqlReadOnlyArgs = z.strictObject({
  enabled: flag.describe(
    'true: read-only (and super_read_only on MySQL); false: the server takes writes.',
  ),
});

export type MysqlReadOnlyArgs = z.infer<typeof mysqlReadOnlyArgs>;

/** MariaDB has no super_read_only. */
const query = (flavor: unknown) =>
  flavor === 'mariadb' ? READ_ONLY.query : 'SELECT @@GLOBAL.read_only, @@GLOBAL.super_read_only';

/**
 * Whether the local server takes writes, as it is now (not as my.cnf says:
 * every server of the site starts read-only, and the primary is made writable
 * by this task, so that a primary replaced while it was down never takes
 * writes on its own when it comes back).
 */
export const mysqlReadOnlyModule: ModuleDefinition<MysqlReadOnlyArgs> = {
  name: 'mysql_read_only',
  summary: 'The local server read-only or writable, compared with its live setting.',
  args: mysqlReadOnlyArgs,
  docs: {
    reads: ['sql'],
    dryRun:
      'Reports the `SET GLOBAL` statements. When the database server does not answer yet, the change is marked as decided during apply.',
    example: { name: 'The primary takes writes', args: { enabled: false } },
  },
  facts: (_args, ctx) => [versionFact(), { kind: 'sql', query: query(ctx.vars.mysql_flavor) }],
  plan(args, facts, ctx) {
    const server = serverState(facts, ctx.vars.mysql_flavor);
    if (!server.up)
      return [
        {
          kind: 'deferred',
          reason: `the database server does not answer yet (${server.reason}): it would be made ${args.enabled ? 'read-only' : 'writable'}`,
        },
      ];
    const r = facts.sql({ query: query(ctx.vars.mysql_flavor) });
    const row = r.ok ? (parseBatch(r.output)[0] ?? []) : [];
    const on = row.map((v) => v === '1' || (v ?? '').toUpperCase() === 'ON');
    const now =
      server.version.flavor === 'mariadb' ? on[0] === true : on[0] === true || on[1] === true;
    const fully =
      server.version.flavor === 'mariadb' ? on[0] === true : on[0] === true && on[1] === true;
    if (args.enabled ? fully : !now) return [];
    const statements = server.dialect.readOnly(args.enabled);
    return [
      {
        kind: 'sql',
        statements,
        redacted: statements,
        reason: args.enabled ? 'the server takes writes' : 'the server is read-only',
      },
    ];
  },
};
