import { z } from 'zod';
import { quote } from '../core/shell';
import { absolutePath, userName } from './arg-types';
import type { Change } from '../changes/model';
import type { ModuleDefinition } from './module';
import { PlanError } from './plan-error';
import { AUTH_SOCKET_LOADED } from '../mysql';

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

/** Initialised: the system schema's folder, and no initialisation under way. */
const schema = (args: MysqlDatadirArgs) => `${args.path}/mysql`;
/**
 * Written first and removed last by the script, beside the directory (which
 * --initialize wants empty): while it exists, everything in the directory is
 * the script's own, from a run that did not finish.
 */
export const inProgress = (args: MysqlDatadirArgs) =>
  `${args.path.replace(/\/+$/, '')}.foobar-initialising`;
const hasContent = (args: MysqlDatadirArgs) => `[ -n "$(ls -A ${quote(args.path)} 2>/dev/null)" ]`;
const MYSQLD = 'command -v mysqld';
/** The private server's socket, pid file and log: one fixed folder, so a later run finds a leftover. */
const RUN_DIR = '/run/foobar-mysql-init';

/**
 * What runs on the host. The server initialises with no init file (so no
 * SHUTDOWN can race its bootstrap), then a private server without networking
 * takes the statements over a socket in a root-only folder and is shut down
 * only after it said it was ready. The directory holds only the script's own
 * files: it starts on an empty one, or on one its own marker says an earlier
 * run left unfinished. Any failure, or a signal, stops the private server,
 * empties the directory and prints the server's log.
 */
export function initScript(args: MysqlDatadirArgs): string {
  const d = quote(args.path);
  const u = quote(args.owner);
  const marker = quote(inProgress(args));
  const statements = [
    // auth_socket is a plugin on some builds and built in on others.
    ...AUTH_SOCKET_LOADED,
    // No password for root: only the system's root may log in, over the socket.
    "ALTER USER 'root'@'localhost' IDENTIFIED WITH auth_socket",
    ...args.sql,
    'SHUTDOWN',
  ].map((s) => `${s.replace(/;\s*$/, '')};`);
  // No binary log and no GTIDs: what runs here is the server's own set-up, not
  // history a replica should receive or would count as errant.
  const server = `mysqld --no-defaults --user=${u} --datadir=${d} --skip-log-bin --gtid-mode=OFF --secure-file-priv=NULL --loose-mysqlx=OFF --log-error=${RUN_DIR}/error.log`;
  const firstStart = args.first_start_config
    ? [
        `printf '%s\\n' '# Written by foobar-infra while the server is first set up; removed after.' '[mysqld]' 'skip-log-bin' 'gtid_mode = OFF' > ${quote(args.first_start_config)} || fb_fail ${quote(`cannot write ${args.first_start_config}`)}`,
      ]
    : [];
  return [
    // The private server of this run, or of one that did not finish: TERM, then KILL after 60 s.
    `fb_stop() { fb_pid=$(cat ${RUN_DIR}/mysqld.pid 2>/dev/null) || return 0; kill "$fb_pid" 2>/dev/null; fb_i=0; while kill -0 "$fb_pid" 2>/dev/null; do fb_i=$((fb_i + 1)); if [ "$fb_i" -eq 600 ]; then kill -9 "$fb_pid" 2>/dev/null; fi; sleep 0.1; done; rm -f ${RUN_DIR}/mysqld.pid; }`,
    `fb_empty() { find ${d}/ -mindepth 1 -delete 2>/dev/null; [ -z "$(ls -A ${d}/ 2>/dev/null)" ]; }`,
    `fb_fail() { trap - HUP INT TERM; echo "initialising ${args.path} failed: $1. The server's log:" >&2; tail -n 40 ${RUN_DIR}/error.log >&2 2>/dev/null; fb_stop; if fb_empty; then echo ${quote(`${args.path} was emptied again: the next run initialises it anew.`)} >&2; else echo ${quote(`${args.path} could not be emptied: look at it by hand.`)} >&2; fi; rm -rf ${RUN_DIR}; exit 1; }`,
    `if [ -n "$(ls -A ${d} 2>/dev/null)" ] && [ ! -e ${marker} ]; then echo ${quote(`${args.path} is not empty: not initialised`)} >&2; exit 1; fi`,
    `trap 'fb_fail "interrupted"' HUP INT TERM`,
    `if [ -e ${marker} ]; then echo ${quote(`an earlier initialisation of ${args.path} did not finish: starting again`)} >&2; fb_stop; fb_empty || fb_fail 'cannot empty what it left'; fi`,
    `touch ${marker} && install -d -o ${u} -g ${u} -m 0700 ${RUN_DIR} ${d} || fb_fail 'cannot create the directory'`,
    `${server} --initialize-insecure || fb_fail 'mysqld --initialize-insecure failed'`,
    `[ -d ${d}/mysql ] || fb_fail 'no system schema after mysqld --initialize-insecure'`,
    `${server} --skip-networking --socket=${RUN_DIR}/mysqld.sock --pid-file=${RUN_DIR}/mysqld.pid --daemonize >/dev/null || fb_fail 'the server did not start on the new data directory'`,
    `printf '%s\\n' ${statements.map(quote).join(' ')} | mysql --no-defaults --protocol=SOCKET --socket=${RUN_DIR}/mysqld.sock -u root || fb_fail 'the first statements failed'`,
    // SHUTDOWN returns before the server is gone: wait for it, up to 3 minutes.
    `fb_pid=$(cat ${RUN_DIR}/mysqld.pid); fb_i=0; while kill -0 "$fb_pid" 2>/dev/null; do fb_i=$((fb_i + 1)); [ "$fb_i" -le 1800 ] || fb_fail 'the server did not stop within 3 minutes'; sleep 0.1; done`,
    ...firstStart,
    `rm -f ${marker} && rm -rf ${RUN_DIR}`,
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
    { kind: 'exists', path: schema(args) },
    { kind: 'exists', path: inProgress(args) },
    { kind: 'exit', script: hasContent(args) },
    { kind: 'exit', script: MYSQLD },
  ],
  plan(args, facts): Change[] {
    const unfinished = facts.exists(inProgress(args));
    if (!unfinished && facts.exists(schema(args))) return [];
    if (!unfinished && facts.exit(hasContent(args)) === 0) {
      throw new PlanError(
        `${args.path} has content but no system schema (${schema(args)}): it is not a data directory this task can initialise, and nothing in it is touched. Look at what is there (a failed earlier installation leaves such a directory), move it away, and run again.`,
      );
    }
    const reason = unfinished
      ? `an earlier initialisation of ${args.path} did not finish (${inProgress(args)})`
      : `${args.path} holds no data directory yet`;
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
