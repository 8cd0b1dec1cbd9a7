import { rollbackPlaybook } from '../../engine/rollback-plan';
import type { Io } from '../io';
import { runAndReport, type ApplyOptions } from './apply';
import { prepareRun } from './run-setup';

export interface RollbackOptions extends Omit<ApplyOptions, 'tags'> {
  to?: string;
}

/**
 * `rollback`: every host the playbook deploys releases to switched back to
 * the release made before its current one (or `--to` ID), play by play with
 * the play's `serial` and `rollout:` health gate, the application restarted
 * by the release task's handlers. Exit codes as apply's.
 */
export async function runRollback(opts: RollbackOptions, io: Io): Promise<number> {
  const to = opts.to ?? 'previous';
  const setup = await prepareRun(opts, io, {
    command: opts.check ? 'rollback --check' : 'rollback',
    mode: opts.check ? 'shared' : 'exclusive',
    adjust: (project) => ({ ...project, playbook: rollbackPlaybook(project.playbook, to) }),
  });
  return runAndReport(setup, opts, io);
}
