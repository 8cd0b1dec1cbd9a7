import { UsageError } from '../core/errors';
import type { Playbook } from '../playbook/model';

/** What `rollback` switches to: a release id, or `previous` on each host. */
export const ROLLBACK_TARGET = /^(previous|[A-Za-z0-9._-]+)$/;

/**
 * The playbook of a rollback: each play that deploys releases, with only its
 * `release` tasks, told to switch `current` to `to` instead of deploying
 * (`switch_to`). Everything else of the play stays: its hosts, `when`,
 * `serial`, its handlers (the application restarted) and its `rollout:`
 * health gate. Pure.
 */
export function rollbackPlaybook(playbook: Playbook, to: string): Playbook {
  if (!ROLLBACK_TARGET.test(to))
    throw new UsageError(
      `--to: a release id (as \`releases\` lists it), not ${JSON.stringify(to)}`,
    );
  const plays = playbook.plays.flatMap((play) => {
    const tasks = play.tasks
      .filter((t) => t.module === 'release')
      .map((t) => ({ ...t, args: { ...t.args, switch_to: to } }));
    return tasks.length > 0 ? [{ ...play, tasks }] : [];
  });
  if (plays.length === 0)
    throw new UsageError(
      `${playbook.file} deploys no release (no release task): nothing to roll back`,
    );
  return { ...playbook, plays };
}
