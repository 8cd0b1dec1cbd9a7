import { z } from 'zod';
import { quote } from '../facts/shell';
import { absolutePath, userName } from './arg-types';
import type { Change } from './changes';
import type { ModuleDefinition } from './module';
import { PlanError } from './plan-error';

export const mysqlDatadirArgs = z.strictObject({
  path: absolutePath.default('/var/lib/mysql').describe('The data directory.'),
  owner: userName.default('mysql').describe('The account mysqld runs as; it owns the directory.'),
  sql: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'Statements run once, right after initialisation, by root over a private socket (e.g. accounts a distribution’s maintenance scripts expect). They must hold no secret: they are shown.',
    ),
  first_start_config: absolutePath
    .optional()
    .describe(
      'An option file written beside the new directory, read until a later task removes it: the server runs without binary log or GTIDs, so that what a package’s scripts do on first start (Debian’s alter an account) leaves no transaction a replica would count as errant.',
    ),
});

export type MysqlDatadirArgs = z.infer<typeof mysqlDatadirArgs>;

/** Initialised: mysqld --initialize creates the system schema's folder first of all. */
const marker = (args: MysqlDatadirArgs) => `${args.path}/mysql`;
const hasContent = (args: MysqlDatadirArgs) => `[ -n "$(ls -A ${quote(args.path)} 2>/dev/null)" ]`;
const MYSQLD = 'command -v mysqld';

/**
 * What runs on the host. The server initialises with no init file (so no
 * SHUTDOWN can race its bootstrap), then a private server without networking
 * takes the statements over a socket in a root-only folder and is shut down
 * only after it said it was ready. Any failure empties the directory again
 * (the script made all of it: it refuses to start on one with content) and
 * prints the server's log.
 */
export function initScript(args: MysqlDatadirArgs): string {
  const d = quote(args.path);
  const u = quote(args.owner);
  const statements = [
    // auth_socket is a plugin on some builds and built in on others.
    "SET @fb_has := (SELECT COUNT(*) FROM information_schema.plugins WHERE PLUGIN_NAME = 'auth_socket')",
    `SET @fb_sql := IF(@fb_has = 0, 'INSTALL PLUGIN auth_socket SONAME ''auth_socket.so''', 'DO 0')`,
    'PREPARE fb_stmt FROM @fb_sql',
    'EXECUTE fb_stmt',
    'DEALLOCATE PREPARE fb_stmt',
    // No password for root: only the system's root may log in, over the socket.
    "ALTER USER 'root'@'localhost' IDENTIFIED WITH auth_socket",
    ...args.sql,
    'SHUTDOWN',
  ].map((s) => `${s.replace(/;\s*$/, '')};`);
  // No binary log and no GTIDs: what runs here is the server's own set-up, not
  // history a replica should receive or would count as errant.
  const server = `mysqld --no-defaults --user=${u} --datadir=${d} --skip-log-bin --gtid-mode=OFF --secure-file-priv=NULL --loose-mysqlx=OFF --log-error="$fb_t/error.log"`;
  const firstStart = args.first_start_config
    ? [
        `printf '%s\\n' '# Written by foobar-infra while the server is first set up; removed after.' '[mysqld]' 'skip-log-bin' 'gtid_mode = OFF' > ${quote(args.first_start_config)} || fb_fail ${quote(`cannot write ${args.first_start_config}`)}`,
      ]
    : [];
  return [
    `if [ -n "$(ls -A ${d} 2>/dev/null)" ]; then echo ${quote(`${args.path} is not empty: not initialised`)} >&2; exit 1; fi`,
    `fb_t=$(mktemp -d /run/foobar-mysql-init.XXXXXX) || exit 1`,
    `fb_fail() { echo "initialising ${args.path} failed: $1; it was emptied again (the next run initialises it anew). The server's log:" >&2; tail -n 40 "$fb_t/error.log" >&2 2>/dev/null; if [ -f "$fb_t/mysqld.pid" ]; then kill "$(cat "$fb_t/mysqld.pid")" 2>/dev/null; sleep 2; fi; find ${d} -mindepth 1 -delete; rm -rf "$fb_t"; exit 1; }`,
    `install -d -o ${u} -g ${u} -m 0700 ${d} && chown ${u}: "$fb_t" || fb_fail 'cannot create the directory'`,
    `${server} --initialize-insecure || fb_fail 'mysqld --initialize-insecure failed'`,
    `[ -d ${d}/mysql ] || fb_fail 'no system schema after mysqld --initialize-insecure'`,
    `${server} --skip-networking --socket="$fb_t/mysqld.sock" --pid-file="$fb_t/mysqld.pid" --daemonize >/dev/null || fb_fail 'the server did not start on the new data directory'`,
    `printf '%s\\n' ${statements.map(quote).join(' ')} | mysql --no-defaults --protocol=SOCKET --socket="$fb_t/mysqld.sock" -u root || fb_fail 'the first statements failed'`,
    // SHUTDOWN returns before the server is gone: wait for it, up to 3 minutes.
    `fb_pid=$(cat "$fb_t/mysqld.pid"); fb_i=0; while kill -0 "$fb_pid" 2>/dev/null; do fb_i=$((fb_i + 1)); [ "$fb_i" -le 1800 ] || fb_fail 'the server did not stop within 3 minutes'; sleep 0.1; done`,
    ...firstStart,
    `rm -rf "$fb_t"`,
  ].join('\n');
}

export const mysqlDatadirModule: ModuleDefinition<MysqlDatadirArgs> = {
  name: 'mysql_datadir',
  summary:
    'A MySQL data directory initialised by the tool (mysqld --initialize-insecure, root by auth_socket), before a server package would.',
  args: mysqlDatadirArgs,
  long: true,
  docs: {
    reads: ['exists', 'exit'],
    dryRun:
      'Reports that the directory would be initialised, or, while mysqld is not installed yet, that it will be during apply. A directory with content but no system schema is an error, never touched.',
    example: {
      name: 'The MySQL data directory',
      args: { path: '/var/lib/mysql', owner: 'mysql' },
    },
  },
  facts: (args) => [
    { kind: 'exists', path: marker(args) },
    { kind: 'exit', script: hasContent(args) },
    { kind: 'exit', script: MYSQLD },
  ],
  plan(args, facts): Change[] {
    if (facts.exists(marker(args))) return [];
    if (facts.exit(hasContent(args)) === 0) {
      throw new PlanError(
        `${args.path} has content but no system schema (${marker(args)}): it is not a data directory this task can initialise, and nothing in it is touched. Look at what is there (a failed earlier installation leaves such a directory), move it away, and run again.`,
      );
    }
    const reason = `${args.path} holds no data directory yet`;
    if (facts.exit(MYSQLD) !== 0) {
      return [
        {
          kind: 'deferred',
          reason: `mysqld is not installed yet: ${reason}, initialised during apply`,
        },
      ];
    }
    return [
      {
        kind: 'command',
        script: initScript(args),
        label: `initialise ${args.path} (mysqld --initialize-insecure; root logs in by auth_socket${args.sql.length ? `; then the task's ${args.sql.length} statement(s)` : ''})`,
        reason,
      },
    ];
  },
};
