import { linkedRelease, previousRelease } from '../facts/kinds/releases';
import type { ReleasesFact } from '../facts/types';
import { hostBlocks, type FolderAnswer } from './host-blocks';

/** One host's application folder as read, or why it could not be. */
export type ReleasesAnswer = FolderAnswer<{ fact: ReleasesFact }>;

export interface ReleaseRow {
  name: string;
  /** ISO time the release was made whole; absent when it was cut off. */
  completedAt?: string;
  current: boolean;
  /** The release a rollback would switch back to. */
  previous: boolean;
}

/** The releases of one folder, newest first, with the current and previous ones marked. */
export function releaseRows(fact: ReleasesFact): ReleaseRow[] {
  const currentName = linkedRelease(fact);
  const rows = [...fact.releases].sort(
    (a, b) =>
      (b.completedAt ?? Infinity) - (a.completedAt ?? Infinity) || (a.name < b.name ? -1 : 1),
  );
  const previous = previousRelease(fact);
  return rows.map((r) => ({
    name: r.name,
    ...(r.completedAt !== undefined
      ? { completedAt: new Date(r.completedAt * 1000).toISOString() }
      : {}),
    current: r.name === currentName,
    previous: r.name === previous,
  }));
}

/** The listing for people: a block per host and folder. */
export function releasesText(answers: readonly ReleasesAnswer[]): string[] {
  return hostBlocks(answers, (a) => {
    const lines: string[] = [];
    const rows = releaseRows(a.fact);
    if (rows.length === 0) lines.push('  no releases');
    for (const r of rows) {
      const mark = r.current ? '*' : ' ';
      const note = r.current ? 'current' : r.previous ? 'previous' : '';
      const when = r.completedAt ?? 'unfinished (cut off; the next apply completes or removes it)';
      lines.push(`  ${mark} ${r.name}  ${when}${note ? `  ${note}` : ''}`);
    }
    if (a.fact.current.type === 'directory')
      lines.push('  current is a folder (a deploy before releases): the next apply moves it aside');
    else if (a.fact.current.type === 'link' && !rows.some((r) => r.current))
      lines.push(`  current points to ${a.fact.current.target}, which is not a release here`);
    return lines;
  });
}
