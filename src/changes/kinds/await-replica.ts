/** `await-replica`: waits until both replication threads run and keep running, or fails with their last errors. */
import { quote } from '../../core/shell';
import type { ChangeKind } from './kind';
import { commitOnly } from './shell-steps';

export const awaitReplicaKind: ChangeKind<'await-replica'> = {
  kind: 'await-replica',
  describe: (c) => `wait until both replication threads run (up to ${c.timeoutSeconds} s)`,
  shell: (c) => commitOnly(awaitReplica(c.statusQuery, c.timeoutSeconds)),
  simulate(_c, s) {
    s.log.push('await-replica');
  },
  entry: () => ({
    kind: 'wait',
    action: 'wait',
    reason: 'replication must run before the play goes on',
  }),
};

/**
 * Polls the replica's status every half second until both threads run at two
 * looks in a row (an applier that starts, then stops on the first transaction
 * it cannot apply, is seen doing so); fails at once when the applier, once
 * started, stops on an error; on timeout prints the threads and their last
 * errors and fails.
 */
function awaitReplica(statusQuery: string, timeoutSeconds: number): string {
  const show = `printf '%s\\n' "$fb_st" | grep -E 'Last_(IO|SQL)_Err(no|or):|_(IO|SQL)_Running:' >&2`;
  return [
    `fb_i=0; fb_ok=0; fb_seen=0; while :; do fb_st=$(mysql --vertical -e ${quote(statusQuery)} 2>&1);`,
    `if printf '%s\\n' "$fb_st" | grep -Eq '(Replica|Slave)_IO_Running: Yes' && printf '%s\\n' "$fb_st" | grep -Eq '(Replica|Slave)_SQL_Running: Yes'; then fb_seen=1; fb_ok=$((fb_ok+1)); [ "$fb_ok" -ge 2 ] && break;`,
    `else fb_ok=0; if [ "$fb_seen" = 1 ] && printf '%s\\n' "$fb_st" | grep -Eq 'Last_SQL_Errno: [1-9]'; then ${show}; fail ${quote("the replica's applier stopped on an error")}; fi; fi;`,
    `fb_i=$((fb_i+1)); if [ "$fb_i" -ge ${timeoutSeconds * 2} ]; then ${show};`,
    `fail ${quote(`replication did not start within ${timeoutSeconds} s`)}; fi; sleep 0.5; done`,
  ].join(' ');
}
