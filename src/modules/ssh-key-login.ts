import { z } from 'zod';
import { quote } from '../core/shell';
import type { ModuleDefinition } from './module';
import { PlanError } from './plan-error';

export const sshKeyLoginArgs = z.strictObject({
  user: z.string().min(1).describe('The user the tool logs in as (ssh_user).'),
});

export type SshKeyLoginArgs = z.infer<typeof sshKeyLoginArgs>;

/** Exits 3 for an account of uid 0 (sshd's PermitRootLogin covers every such name), else 0 when it has authorized keys. */
const authorizedKeys = (user: string) =>
  `e=$(getent passwd -- ${quote(user)}) || exit 1; [ "$(printf %s "$e" | cut -d: -f3)" != 0 ] || exit ${UID_ZERO}; h=$(printf %s "$e" | cut -d: -f6); [ -n "$h" ] && [ -s "$h/.ssh/authorized_keys" ]`;
const UID_ZERO = 3;

/**
 * A check that changes nothing: this run logged in over SSH with a key (the
 * tool has no password login) as a user other than root, who has authorized
 * keys. Tasks after it may then turn off password and root logins.
 */
export const sshKeyLoginModule: ModuleDefinition<SshKeyLoginArgs> = {
  name: 'ssh_key_login',
  summary:
    'Check that this run came in over SSH with a key, as a user other than root who has authorized keys (before password and root logins are turned off).',
  args: sshKeyLoginArgs,
  docs: {
    reads: ['ssh_client', 'exit'],
    dryRun:
      'Changes nothing in any mode: it checks, in a dry run as in apply, and fails when key login is not proven.',
    example: {
      name: 'Key login works for the deploy user, who is not root',
      args: { user: '{{ssh_user}}' },
    },
  },
  facts: (args) => [{ kind: 'ssh_client' }, { kind: 'exit', script: authorizedKeys(args.user) }],
  plan(args, facts) {
    if (args.user === 'root')
      throw new PlanError(
        'the tool logs in as root: turning root login off would lock it out (log in as a sudo user: ssh_user and become: true)',
      );
    if (!facts.sshClient())
      throw new PlanError('this run did not come in over SSH: key login is not proven');
    const keys = facts.exit(authorizedKeys(args.user));
    if (keys === UID_ZERO)
      throw new PlanError(
        `${args.user} has uid 0: turning root login off would lock it out too (log in as a sudo user of another uid)`,
      );
    if (keys !== 0)
      throw new PlanError(
        `${args.user} has no ~/.ssh/authorized_keys: key login for it is not proven`,
      );
    return [];
  },
};
