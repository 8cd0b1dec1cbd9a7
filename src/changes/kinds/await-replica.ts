/** `await-replica`: waits until both replication threads run, or fails with their last errors. */
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
 * Polls the replica's status every half second until both threads run; on
 * timeout prints the last IO and SQL errors and fails.
 */
function awaitReplica(statusQuery: string, timeoutSeconds: number): string {
  return [
    `fb_i=0; while :; do fb_st=$(mysql --vertical -e ${quote(statusQuery)} 2>&1);`,
    `if printf '%s\\n' "$fb_st" | grep -Eq '(Replica|Slave)_IO_Running: Yes' && printf '%s\\n' "$fb_st" | grep -Eq '(Replica|Slave)_SQL_Running: Yes'; then break; fi;`,
    `fb_i=$((fb_i+1)); if [ "$fb_i" -ge ${timeoutSeconds * 2} ]; then printf '%s\\n' "$fb_st" | grep -E 'Last_(IO|SQL)_Err(no|or):|_(IO|SQL)_Running:' >&2;`,
    `fail ${quote(`replication did not start within ${timeoutSeconds} s`)}; fi; sleep 0.5; done`,
  ].join(' ');
}
