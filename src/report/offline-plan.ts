import { maskedFileDiff } from '../core/secret-diff';
import type { HostFiles } from '../engine/desired-files';
import { finishDocument, type PlanMeta } from './plan-document';
import type { PlanChange, PlanDocument, PlanHost } from './plan-schema';

/** An earlier render folder, read: host → absolute path → content. */
export type EarlierRender = Map<string, Map<string, Buffer>>;

/**
 * `diff --against DIR`: a fresh render compared with an earlier one (both
 * with secrets already masked), so a reviewer sees a template change as the
 * config change it makes, without SSH. Pure.
 * - a file only in the fresh render: create;
 * - a file in both that differs: update, with its diff;
 * - a file only in the earlier render: no task places it any more (a host
 *   keeps its copy until something removes it).
 * `scope` is the hosts the comparison covers (all, or --limit's), `removed`
 * the hosts of the earlier render that the inventory no longer has.
 */
export function offlinePlan(
  meta: PlanMeta,
  fresh: readonly HostFiles[],
  earlier: EarlierRender,
  scope: readonly string[],
  removed: readonly string[] = [],
): PlanDocument {
  const hosts: PlanHost[] = [];
  const freshByHost = new Map(fresh.map((h) => [h.host, h.files]));
  for (const name of [...scope, ...removed]) {
    const files = freshByHost.get(name) ?? [];
    const before = earlier.get(name) ?? new Map<string, Buffer>();
    const changes: PlanChange[] = [];
    for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
      const old = before.get(f.path);
      if (old && old.equals(f.content)) continue;
      const { hunks, masked } = maskedFileDiff(old, f.content, (t) => t);
      changes.push({
        play: f.play,
        task: f.task,
        handler: false,
        kind: 'file',
        action: old ? 'update' : 'create',
        path: f.path,
        summary: `${old ? 'update' : 'create'} ${f.path}`,
        reason: old ? 'the rendered content differs' : 'the earlier render did not have it',
        diff: { created: !old, hunks, masked },
      });
    }
    const placed = new Set(files.map((f) => f.path));
    for (const path of [...before.keys()].sort()) {
      if (placed.has(path)) continue;
      changes.push({
        play: '',
        task: '',
        handler: false,
        kind: 'file',
        action: 'unmanaged',
        path,
        summary: `no longer rendered: ${path}`,
        reason: removed.includes(name)
          ? `host ${name} is no longer in the inventory`
          : 'no task places this file any more; hosts keep their copy',
      });
    }
    hosts.push({ name, status: 'converged', changes, failures: [] });
  }
  return finishDocument(meta, hosts);
}
