import { quote, quoteArgv } from '../core/shell';
import { commandText, type Change } from '../modules/changes';
import { armCommands } from './activation-script';
import { PENDING_FILE, pendingLine, type PendingHandler } from './handler-state';

/** One task's share of a batched change script. */
export interface TaskGroup {
  /** Index of the group's first change. */
  start: number;
  /** Handlers the task notifies, recorded before its first mutation. */
  record: PendingHandler[];
}

/** Printed by a batched script after each group (task) that completed. */
export const GROUP_DONE = '@@fb-group-done';

/** How many groups (tasks) of a batched script completed, from its stdout. */
export function completedGroups(stdout: string): number {
  let n = 0;
  for (const m of stdout.matchAll(new RegExp(`^${GROUP_DONE} (\\d+)$`, 'gm')))
    n = Math.max(n, Number(m[1]) + 1);
  return n;
}

/** Exit code of a change script whose `validate` command refused the candidate. */
export const VALIDATION_FAILED = 65;

export interface ChangeScript {
  script: string;
  /** File contents, concatenated; each write reads its exact byte count. */
  stdin: Buffer;
}

/**
 * Turns a task's changes into one POSIX sh script. Pure.
 * - Handlers the task notifies are recorded (and synced) before any change.
 * - A file is written to a temp file beside its destination, synced, given
 *   its owner and mode, validated, then renamed over the destination: the
 *   destination holds the old or the new content, never a mix, and the temp
 *   file is removed on every failure.
 * - Handlers that just ran are cleared at the very end.
 */
export function changeScript(
  changes: readonly Change[],
  options: {
    record?: PendingHandler[];
    clear?: PendingHandler[];
    stateFile?: string;
    /**
     * Several tasks' changes in one script: each group (a task) starts at a
     * change index and records its own handlers right before its own first
     * mutation. After a group's last change the script prints
     * `@@fb-group-done <n>`, so a failure says which tasks completed.
     */
    groups?: readonly TaskGroup[];
  } = {},
): ChangeScript {
  const state = quote(options.stateFile ?? PENDING_FILE);
  const stateDir = quote(dirOf(options.stateFile ?? PENDING_FILE));
  const lines: string[] = [
    'set -u',
    'export LC_ALL=C DEBIAN_FRONTEND=noninteractive',
    'fb_tmp=""',
    `trap 'if [ -n "$fb_tmp" ]; then rm -f -- "$fb_tmp"; fi' EXIT`,
    // A dropped connection (SIGHUP) or a signal still removes the temp file.
    `trap 'exit 129' HUP INT TERM PIPE`,
    'fail() { echo "$1" >&2; exit "${2:-1}"; }',
  ];
  const payloads: Buffer[] = [];
  // A record goes right before the first step that changes the host: a
  // candidate refused by its validator leaves no handler pending.
  const recordLines = (handlers: readonly PendingHandler[] | undefined) =>
    handlers?.length
      ? [
          `mkdir -p ${stateDir}`,
          `printf '%s\\n' ${handlers.map((p) => quote(pendingLine(p))).join(' ')} >> ${state} || fail 'cannot record pending handlers'`,
          `sync ${state} 2>/dev/null || sync`,
        ]
      : [];
  const groups = options.groups ?? [{ start: 0, record: options.record ?? [] }];
  groups.forEach((group, g) => {
    const end = groups[g + 1]?.start ?? changes.length;
    const record = recordLines(group.record);
    for (const change of changes.slice(group.start, end)) {
      const { prepare, commit } = commandsFor(change, payloads);
      lines.push(...prepare, ...record.splice(0), ...commit);
    }
    lines.push(...record);
    if (options.groups) lines.push(`printf '${GROUP_DONE} %s\\n' ${g}`);
  });
  if (options.clear?.length) {
    const drop = options.clear
      .map((p) => `-e ${quote(`^${escapeRegex(pendingLine(p))}$`)}`)
      .join(' ');
    lines.push(
      `if [ -f ${state} ]; then grep -v ${drop} ${state} > ${state}.new; mv -f ${state}.new ${state}; sync ${state} 2>/dev/null || true; fi`,
    );
  }
  return { script: `${lines.join('\n')}\n`, stdin: Buffer.concat(payloads) };
}

/** A change as the steps that only prepare (safe to abandon) and the steps that change the host. */
function commandsFor(change: Change, payloads: Buffer[]): { prepare: string[]; commit: string[] } {
  if (change.kind === 'write') return writeCommands(change, payloads);
  if (change.kind === 'transfer') {
    if (!change.data) throw new Error(`transfer from ${change.from}: the data was not fetched`);
    payloads.push(change.data);
    return {
      prepare: [],
      commit: [
        `fb_out=$(dd bs=65536 count=${change.data.length} iflag=count_bytes,fullblock status=none | { ${change.importScript}; } 2>&1) || { printf '%s\\n' "$fb_out" | tail -n 20 >&2; fail ${quote(`${change.reason} failed`)}; }`,
      ],
    };
  }
  if (change.kind === 'sql') {
    // Statements (which may hold passwords) go on stdin, never in argv.
    const sql = Buffer.from(
      `${change.statements.map((s) => s.replace(/;\s*$/, '')).join(';\n')};\n`,
    );
    payloads.push(sql);
    return {
      prepare: [],
      commit: [
        `fb_out=$(dd bs=65536 count=${sql.length} iflag=count_bytes,fullblock status=none | mysql --default-character-set=utf8mb4 --batch 2>&1) || { printf '%s\\n' "$fb_out" >&2; fail ${quote(`SQL failed: ${change.redacted.join('; ')}`)}; }`,
      ],
    };
  }
  return { prepare: [], commit: mutatingCommands(change) };
}

function writeCommands(
  change: Extract<Change, { kind: 'write' }>,
  payloads: Buffer[],
): { prepare: string[]; commit: string[] } {
  payloads.push(change.content);
  const dest = quote(change.path);
  const prepare = [
    // A temp file left by a run cut off mid-upload (the run lock means no other
    // run is writing it) goes before a new one is made.
    `find ${quote(dirOf(change.path))} -maxdepth 1 -type f -name ${quote(`.${globEscape(baseOf(change.path))}.foobar-??????`)} -delete 2>/dev/null`,
    `fb_tmp=$(mktemp ${quote(`${dirOf(change.path)}/.${baseOf(change.path)}.foobar-XXXXXX`)}) || fail ${quote(`cannot create a temp file beside ${change.path}`)}`,
    `dd of="$fb_tmp" bs=65536 count=${change.content.length} iflag=count_bytes,fullblock status=none || fail ${quote(`cannot write ${change.path}`)}`,
    `[ "$(stat -c %s -- "$fb_tmp")" = ${change.content.length} ] || fail ${quote(`short write to ${change.path} (disk full?)`)}`,
    `chown ${quote(`${change.owner}:${change.group}`)} "$fb_tmp" && chmod ${change.mode} "$fb_tmp" || fail ${quote(`cannot set owner/mode of ${change.path}`)}`,
    `sync "$fb_tmp" || fail ${quote(`cannot sync ${change.path} (disk full?)`)}`,
  ];
  if (change.validate) {
    const command = change.validate.split('%s').join('"$fb_tmp"');
    prepare.push(
      // stdin holds the next files' contents: only dd reads it.
      `fb_out=$( { ${command}; } </dev/null 2>&1 ) || { printf '%s\\n' "$fb_out" | head -n 40 >&2; exit ${VALIDATION_FAILED}; }`,
    );
  }
  if (change.activate) return { prepare, commit: armCommands(change) };
  const commit: string[] = [];
  if (change.backup && change.before.exists) {
    commit.push(
      `cp -p -- ${dest} ${dest}.$(date +%Y%m%dT%H%M%S).bak || fail ${quote(`cannot back up ${change.path}`)}`,
    );
  }
  commit.push(
    `mv -f -- "$fb_tmp" ${dest} || fail ${quote(`cannot replace ${change.path}`)}`,
    'fb_tmp=""',
    `sync ${quote(dirOf(change.path))} 2>/dev/null || true`,
  );
  return { prepare, commit };
}

function mutatingCommands(change: Exclude<Change, { kind: 'write' }>): string[] {
  switch (change.kind) {
    case 'attributes': {
      const out: string[] = [];
      if (change.owner || change.group) {
        const who = `${change.owner ?? ''}${change.group ? `:${change.group}` : ''}`;
        out.push(
          `chown -h ${quote(who)} -- ${quote(change.path)} || fail ${quote(`cannot chown ${change.path}`)}`,
        );
      }
      if (change.mode)
        out.push(
          `chmod ${change.mode} -- ${quote(change.path)} || fail ${quote(`cannot chmod ${change.path}`)}`,
        );
      return out;
    }
    case 'mkdir':
      return [
        `mkdir -p -- ${quote(change.path)} && chown ${quote(`${change.owner}:${change.group}`)} -- ${quote(change.path)} && chmod ${change.mode} -- ${quote(change.path)} || fail ${quote(`cannot create directory ${change.path}`)}`,
      ];
    case 'symlink': {
      const tmp = `${dirOf(change.path)}/.${baseOf(change.path)}.foobar-link`;
      return [
        `rm -f -- ${quote(tmp)}; ln -s -- ${quote(change.target)} ${quote(tmp)} && mv -Tf -- ${quote(tmp)} ${quote(change.path)} || fail ${quote(`cannot link ${change.path}`)}`,
      ];
    }
    case 'remove':
      return [`rm -rf -- ${quote(change.path)} || fail ${quote(`cannot remove ${change.path}`)}`];
    case 'packages': {
      const apt =
        'apt-get -q -y -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';
      const out: string[] = [];
      if (change.install.length) {
        out.push(`${apt} update >/dev/null || fail 'apt-get update failed'`);
        // On failure, the end of apt's own output (a maintainer script's error) is shown.
        out.push(
          `fb_out=$(${apt} install --no-install-recommends -- ${quoteArgv(change.install)} </dev/null 2>&1) || { printf '%s\\n' "$fb_out" | tail -n 25 >&2; fail ${quote(`apt-get install ${change.install.join(' ')} failed`)}; }`,
        );
      }
      if (change.remove.length) {
        out.push(
          `${apt} purge -- ${quoteArgv(change.remove)} </dev/null >/dev/null || fail ${quote(`apt-get purge ${change.remove.join(' ')} failed`)}`,
        );
      }
      return out;
    }
    case 'service':
      if (change.action === 'daemon-reload')
        return [`systemctl daemon-reload || fail 'systemctl daemon-reload failed'`];
      return [
        `systemctl ${change.action} -- ${quote(change.unit)} || { journalctl -u ${quote(change.unit)} -n 15 --no-pager >&2 2>/dev/null; fail ${quote(`systemctl ${change.action} ${change.unit} failed`)}; }`,
      ];
    case 'sql':
    case 'transfer':
      return [];
    case 'deferred':
      return [`fail ${quote(change.reason)}`];
    case 'await-replica':
      return [awaitReplica(change.statusQuery, change.timeoutSeconds)];
    case 'command': {
      // A shell command line runs through `eval` in a subshell, not `sh -c`: its
      // text (which may hold a rendered secret) never becomes a process's argv.
      const run = change.argv ? quoteArgv(change.argv) : `set +u; eval ${quote(change.script!)}`;
      const cd = change.chdir ? `cd ${quote(change.chdir)} && ` : '';
      return [
        `( ${cd}${run} ) </dev/null || fail ${quote(`command failed: ${commandText(change)}`)} $?`,
      ];
    }
  }
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

function escapeRegex(s: string): string {
  return s.replace(/[.[\]*^$\\]/g, '\\$&');
}

/**
 * Polls the replica's status until both threads run; on timeout prints the
 * last IO and SQL errors and fails.
 */
function awaitReplica(statusQuery: string, timeoutSeconds: number): string {
  return [
    `fb_i=0; while :; do fb_st=$(mysql --vertical -e ${quote(statusQuery)} 2>&1);`,
    `if printf '%s\\n' "$fb_st" | grep -Eq '(Replica|Slave)_IO_Running: Yes' && printf '%s\\n' "$fb_st" | grep -Eq '(Replica|Slave)_SQL_Running: Yes'; then break; fi;`,
    `fb_i=$((fb_i+1)); if [ "$fb_i" -ge ${timeoutSeconds * 2} ]; then printf '%s\\n' "$fb_st" | grep -E 'Last_(IO|SQL)_Err(no|or):|_(IO|SQL)_Running:' >&2;`,
    `fail ${quote(`replication did not start within ${timeoutSeconds} s`)}; fi; sleep 0.5; done`,
  ].join(' ');
}
