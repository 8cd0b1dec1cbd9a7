import type { Change } from '../changes/model';
import type { ReleasesFact } from '../facts/types';
import {
  isWhole,
  linkedRelease,
  previousLink,
  previousRelease,
  wholeByTime,
} from '../facts/kinds/releases';
import { RELEASE_ID } from './release-layout';

/**
 * Which releases go once `current` points to `current`: the whole releases
 * beyond the `keep` newest, never the current one, the previous one, or the
 * one `current` pointed to; and the releases of this tool that a cut-off run
 * left unfinished. Anything else in releases/ (another name, the folder moved
 * aside before releases) is not the tool's to remove, and stays.
 */
export function planRetention(
  state: ReleasesFact,
  o: { keep: number; current: string; releasesDir: string },
): Change[] {
  // What `current` pointed to before this run (the fact is read before it).
  const linked = linkedRelease(state);
  const whole = wholeByTime(state).filter((r) => RELEASE_ID.test(r.name));
  const kept = new Set([o.current]);
  // The previous release is the one `current` pointed to before this run, or
  // (when nothing switches) the one a rollback would go to.
  const previous =
    linked && linked !== o.current && isWhole(state, linked) ? linked : previousRelease(state);
  if (previous && previous !== o.current) kept.add(previous);
  for (const r of whole) if (kept.size < o.keep) kept.add(r.name);
  if (linked) kept.add(linked);
  // The target of the `previous` link: a rollout that switches back restores that link.
  const linkedBack = previousLink(state);
  if (linkedBack) kept.add(linkedBack);
  const gone = [
    ...whole.filter((r) => !kept.has(r.name)),
    ...state.releases.filter(
      (r) => r.completedAt === undefined && RELEASE_ID.test(r.name) && !kept.has(r.name),
    ),
  ];
  return gone.map((r) => {
    const p = `${o.releasesDir}/${r.name}`;
    return { kind: 'remove', path: p, before: { path: p, exists: true, type: 'directory' } };
  });
}
