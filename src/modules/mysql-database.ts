import { z } from 'zod';
import { parseBatch } from '../mysql';
import { createDatabaseStatement } from '../mysql/statements';
import { sqlIdentifier } from '../mysql/sql-string';
import type { FactRequest } from '../facts/types';
import type { ModuleDefinition } from './module';

export const mysqlDatabaseArgs = z.strictObject({
  name: z.string().min(1).describe('Database (schema) name.'),
  state: z
    .enum(['present', 'absent'])
    .default('present')
    .describe('Created, or dropped (with its data).'),
  encoding: z
    .string()
    .regex(/^[a-z0-9_]+$/)
    .default('utf8mb4')
    .describe('Character set of a new database.'),
});

export type MysqlDatabaseArgs = z.infer<typeof mysqlDatabaseArgs>;

const LIST: FactRequest = { kind: 'sql', query: 'SHOW DATABASES' };

export const mysqlDatabaseModule: ModuleDefinition<MysqlDatabaseArgs> = {
  name: 'mysql_database',
  summary: 'A database on the local MySQL or MariaDB server, created or dropped.',
  args: mysqlDatabaseArgs,
  docs: {
    reads: ['sql'],
    dryRun:
      'Reports the `CREATE DATABASE` or `DROP DATABASE` statement. When the database server does not answer yet (not installed on a bare host), the change is marked as decided during apply (an earlier task installs the server).',
    example: { name: 'The application database', args: { name: '{{mysql_database}}' } },
  },
  facts: () => [LIST],
  plan(args, facts) {
    const r = facts.sql({ query: 'SHOW DATABASES' });
    if (!r.ok) {
      return [
        {
          kind: 'deferred',
          reason: `the database server does not answer yet (${r.error.split('\n')[0]}): database ${args.name} would be ${args.state === 'present' ? 'created' : 'dropped'}`,
        },
      ];
    }
    const exists = parseBatch(r.output).some((row) => row[0] === args.name);
    if (args.state === 'present' && !exists) {
      const sql = createDatabaseStatement(args.name, args.encoding);
      return [
        {
          kind: 'sql',
          statements: [sql],
          redacted: [sql],
          reason: `database ${args.name} is missing`,
        },
      ];
    }
    if (args.state === 'absent' && exists) {
      const sql = `DROP DATABASE ${sqlIdentifier(args.name)}`;
      return [
        { kind: 'sql', statements: [sql], redacted: [sql], reason: `database ${args.name} exists` },
      ];
    }
    return [];
  },
};
