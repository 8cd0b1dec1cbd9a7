import { MASK } from '../../core/redact';
import { Refused } from '../../core/errors';
import { previousRelease } from '../../facts/kinds/releases';
import { releaseDirs } from '../../engine/release-dirs';
import { rollbackPlaybook } from '../../engine/rollback-plan';
import { FactView } from '../../modules/fact-view';
import type { Io } from '../io';
import { runAndReport, type ApplyOptions } from './apply';
import { prepareRun, type RunSetup } from './run-setup';

export interface RollbackOptions extends Omit<ApplyOptions, 'tags'> {
  to?: string;
}

/**
 * `rollback`: every host the playbook deploys releases to switched to one
 * release, play by play with the play's `serial` and `rollout:` health gate,
 * the application restarted by the release task's handlers. The release is
 * `--to`, else where the first host of the rollout goes back to (its
 * `previous` release): one target for every host, so that a host a failed
 * deploy never reached, or already switched back, stays where it is. Exit
 * codes as apply's.
 */
export async function runRollback(opts: RollbackOptions, io: Io): Promise<number> {
  const setup = await prepareRun(opts, io, {
    command: opts.check ? 'rollback --check' : 'rollback',
    mode: opts.check ? 'shared' : 'exclusive',
  });
  // Refused before anything changes: a playbook without release tasks.
  rollbackPlaybook(setup.project.playbook, 'previous');
  const to = opts.to ?? (await previousOfFirstHost(setup, opts.limit, io));
  const project = { ...setup.project, playbook: rollbackPlaybook(setup.project.playbook, to) };
  return runAndReport(setup, opts, io, project);
}

/** The release the rollout's first host goes back to; Refused when it has none. */
async function previousOfFirstHost(setup: RunSetup, limit: string | undefined, io: Io) {
  const first = releaseDirs(setup.project, () => MASK, limit)[0];
  if (!first) throw new Refused('no host in scope deploys a release: nothing to roll back');
  const request = { kind: 'releases' as const, dir: first.dir };
  const fact = new FactView(await setup.gather(first.host, [request])).releases(first.dir);
  const to = previousRelease(fact);
  if (!to)
    throw new Refused(
      `${first.host} has no release before its current one in ${first.dir}/releases: nothing to roll back to (foobar-infra releases lists them)`,
    );
  io.err(`rollback: every host to release ${to} (${first.host}'s previous release)`);
  return to;
}
