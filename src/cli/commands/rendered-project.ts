import { InputError, UsageError } from '../../core/errors';
import { MASK } from '../../core/redact';
import { desiredFiles, type HostFiles } from '../../engine/desired-files';
import { hostsInScope } from '../../engine/expand';
import type { Project } from '../../engine/project';
import { requireSiteProject } from '../site-project';
import { selectHosts } from '../../inventory/patterns';

/**
 * What `render`, `diff` and `apply` share before anything else: the project
 * loaded, --limit checked, and every template and task argument rendered for
 * every host in scope (secrets as ********), each problem reported. No SSH.
 */
export function renderedProject(opts: { inventory: string; playbook: string; limit?: string }): {
  project: Project;
  /** Every file each host in scope would receive. */
  files: HostFiles[];
  /** The hosts in scope, in inventory order. */
  scope: string[];
} {
  const project = requireSiteProject(opts.inventory, opts.playbook);
  if (opts.limit && selectHosts(project.inventory, opts.limit).hosts.length === 0) {
    throw new UsageError(`--limit ${opts.limit} matches no host of ${opts.inventory}`);
  }
  const { hosts, diagnostics } = desiredFiles(project, { limit: opts.limit, secret: () => MASK });
  if (diagnostics.length > 0) throw new InputError(diagnostics);
  return { project, files: hosts, scope: hostsInScope(project, opts.limit) };
}
