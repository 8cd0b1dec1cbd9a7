import { quote } from '../core/shell';

/**
 * The per-host run lock. `apply` holds it exclusively, `diff` shared (diffs
 * run side by side, never beside an apply).
 *
 * A holder is the host's `sshd` process of the holder's SSH connection (its
 * pid and start time): the lock lives exactly as long as that connection. A
 * run that dies (even SIGKILL) closes its connection, sshd's process ends,
 * and the next run finds the lock stale and takes it over, without any
 * release step or timeout. Taking it is part of the first fact-gathering
 * command, so it costs no extra round trip; every later command of the run
 * rides the same connection.
 */
export interface LockRequest {
  mode: 'exclusive' | 'shared';
  /** Who holds it, for the message another run shows: command, user@machine, pid. */
  owner: string;
  /** How long to wait for a busy lock before giving up (0: give up at once). */
  waitSeconds: number;
  /**
   * Holders known to be dead although their connection lingers (a run on this
   * machine whose process is gone, cut off by a network fault): dropped, and
   * their sshd process ended, which ends whatever that run left running.
   */
  breakIds?: string[];
}

/** A run that holds the lock: its id (sshd pid:start time) and who it is. */
export interface LockHolder {
  id: string;
  /** `exclusive since <time> by <owner>` */
  text: string;
}

export const LOCK_DIR = '/run/lock/foobar-infra';
const MARK = '@@fb-lock';

/**
 * An sh snippet that takes the lock or, when it stays busy, prints who holds
 * it and ends the script (exit 0, so the output is read). Pure.
 */
export function lockScript(request: LockRequest, dir = LOCK_DIR): string {
  const owner = request.owner.replace(/[^A-Za-z0-9@._:/+ -]/g, '_').slice(0, 200);
  const d = quote(dir);
  return `${[
    `mkdir -p ${d} && chmod 700 ${d} || { echo ${quote(`cannot create the lock folder ${dir}`)} >&2; exit 74; }`,
    // This connection's sshd process: the first ancestor whose name starts with sshd.
    'fb_p=$$; fb_me=""',
    'while [ "$fb_p" -gt 1 ] 2>/dev/null; do',
    '  read -r fb_x fb_comm fb_y fb_pp fb_rest < "/proc/$fb_p/stat" || break',
    '  case "$fb_comm" in "(sshd"*) fb_me="$fb_p:$(cut -d" " -f22 "/proc/$fb_p/stat")"; break;; esac',
    '  fb_p=$fb_pp',
    'done',
    `[ -n "$fb_me" ] || { echo 'cannot find the sshd process of this connection for the run lock' >&2; exit 74; }`,
    `fb_deadline=$(( $(date +%s) + ${Math.max(0, Math.floor(request.waitSeconds))} ))`,
    `fb_break=' ${(request.breakIds ?? []).filter((id) => /^\d+:\d+$/.test(id)).join(' ')} '`,
    'while :; do',
    `  exec 8>${quote(`${dir}/guard`)}; flock -x 8`,
    `  : > ${quote(`${dir}/holders.new`)}; fb_busy=""; fb_mine=""`,
    `  if [ -f ${quote(`${dir}/holders`)} ]; then`,
    '    while read -r fb_id fb_mode fb_since fb_who; do',
    '      fb_pid=${fb_id%%:*}',
    '      case "$fb_break" in *" $fb_id "*) kill -TERM "$fb_pid" 2>/dev/null; continue;; esac',
    '      if [ "$fb_id" = "$fb_me" ]; then fb_mine=1',
    '      elif [ -r "/proc/$fb_pid/stat" ] && [ "$fb_pid:$(cut -d" " -f22 "/proc/$fb_pid/stat" 2>/dev/null)" = "$fb_id" ]; then :',
    // A holder whose connection is gone is stale: dropped.
    '      else continue; fi',
    `      printf '%s %s %s %s\\n' "$fb_id" "$fb_mode" "$fb_since" "$fb_who" >> ${quote(`${dir}/holders.new`)}`,
    `      if [ "$fb_id" != "$fb_me" ] && { [ ${request.mode} = exclusive ] || [ "$fb_mode" = exclusive ]; }; then fb_busy="$fb_busy$fb_id $fb_mode since $fb_since by $fb_who;"; fi`,
    `    done < ${quote(`${dir}/holders`)}`,
    '  fi',
    '  if [ -z "$fb_busy" ]; then',
    `    [ -n "$fb_mine" ] || printf '%s %s %s %s\\n' "$fb_me" ${request.mode} "$(date -u +%Y-%m-%dT%H:%M:%SZ)" ${quote(owner)} >> ${quote(`${dir}/holders.new`)}`,
    `    mv -f ${quote(`${dir}/holders.new`)} ${quote(`${dir}/holders`)}; exec 8>&-; printf '${MARK} held\\n'; break`,
    '  fi',
    `  mv -f ${quote(`${dir}/holders.new`)} ${quote(`${dir}/holders`)}; exec 8>&-`,
    `  if [ "$(date +%s)" -ge "$fb_deadline" ]; then printf '${MARK} busy %s\\n' "$fb_busy"; exit 0; fi`,
    '  sleep 1',
    'done',
  ].join('\n')}\n`;
}

export type LockOutcome = { held: true } | { held: false; holders: LockHolder[] };

/**
 * Reads the lock snippet's verdict from the start of a command's output, and
 * returns the rest of the output.
 */
export function parseLock(output: string): { outcome: LockOutcome; rest: string } {
  const nl = output.indexOf('\n');
  const line = nl < 0 ? output : output.slice(0, nl);
  const rest = nl < 0 ? '' : output.slice(nl + 1);
  if (line === `${MARK} held`) return { outcome: { held: true }, rest };
  if (line.startsWith(`${MARK} busy `)) {
    const holders = line
      .slice(`${MARK} busy `.length)
      .split(';')
      .map((h) => h.trim())
      .filter(Boolean)
      .map((h) => {
        const space = h.indexOf(' ');
        return { id: h.slice(0, space), text: h.slice(space + 1) };
      });
    return { outcome: { held: false, holders }, rest };
  }
  throw new Error(`the run lock gave no verdict: ${line.slice(0, 200)}`);
}
