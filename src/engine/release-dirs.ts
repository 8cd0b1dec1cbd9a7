import { releaseLayout } from '../modules/release-layout';
import type { SecretValue } from '../render/context';
import { PlayExpander, playHosts } from './expand';
import type { Project } from './project';

/** The application folder of a `release` task on a host, and the task that deploys to it. */
export interface ReleaseDir {
  host: string;
  dir: string;
  task: string;
}

/**
 * Every application folder the playbook deploys releases to, per host in
 * scope: the `dir` of each `release` task whose `when` holds there, rendered
 * with the host's variables. Offline; nothing is asked of a host.
 */
export function releaseDirs(project: Project, secret: SecretValue, limit?: string): ReleaseDir[] {
  const found = new Map<string, ReleaseDir>();
  for (const play of project.playbook.plays) {
    const tasks = play.tasks.filter((t) => t.module === 'release');
    if (tasks.length === 0) continue;
    const expander = new PlayExpander(project, play, secret);
    for (const host of playHosts(project, play, limit))
      for (const task of tasks) {
        const prepared = expander.prepare(task, host);
        if (prepared.skipped) continue;
        const dir = releaseLayout((prepared.args as { dir: string }).dir).dir;
        found.set(`${host}\0${dir}`, { host, dir, task: task.name });
      }
  }
  const order = [...project.inventory.hosts.keys()];
  return [...found.values()].sort((a, b) => order.indexOf(a.host) - order.indexOf(b.host));
}
