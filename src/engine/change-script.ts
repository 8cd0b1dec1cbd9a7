import { changeKind } from '../changes/kinds';
import { dirOf } from '../changes/kinds/shell-steps';
import type { Change } from '../changes/model';
import { quote } from '../core/shell';
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

export { VALIDATION_FAILED } from '../changes/kinds';

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
      const { prepare, commit } = changeKind(change).shell(change, payloads);
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

function escapeRegex(s: string): string {
  return s.replace(/[.[\]*^$\\]/g, '\\$&');
}
