import * as path from 'node:path';
import { quote } from '../core/shell';
import type { Change } from '../changes/model';
import type { ReleasesFact, TreeFact } from '../facts/types';
import { parentFolders, planTree, type CopiedFile } from './copy';
import { normalMode } from './file-plan';
import type { FactView } from './fact-view';
import { PlanError } from './plan-error';
import { isWhole, linkedRelease, RELEASE_MARKER } from '../facts/kinds/releases';
import type { ReleaseLayout } from './release-layout';

/** What build needs of the module's arguments. */
export interface BuildOptions {
  at: ReleaseLayout;
  id: string;
  files: CopiedFile[];
  dirMode?: string;
  owner?: string;
  group?: string;
  sharedDirs: string[];
  sharedFiles: string[];
}

/** The tree a new release starts from: its own cut-off folder, or the current release, or nothing. */
export function baseOf(state: ReleasesFact, id: string): string | undefined {
  if (state.releases.some((r) => r.name === id)) return id;
  const linked = linkedRelease(state);
  return linked && isWhole(state, linked) ? linked : undefined;
}

/**
 * The release folder made whole: copied on the host from the current release
 * first (only the files that differ are sent), or completed where a cut-off
 * run left it; the shared links; the marker last.
 */
export function build(o: BuildOptions, state: ReleasesFact, facts: FactView): Change[] {
  const dest = o.at.release(o.id);
  const changes: Change[] = [];
  if (!state.hasReleasesDir)
    changes.push({
      kind: 'mkdir',
      path: o.at.releases,
      mode: '0755',
      owner: 'root',
      group: 'root',
    });
  const base = baseOf(state, o.id);
  let tree: TreeFact = { path: dest, isDirectory: false, entries: new Map() };
  if (base === o.id) tree = facts.tree(dest);
  else if (base) {
    changes.push(copyFrom(o.at.release(base), dest, o));
    tree = { ...facts.tree(o.at.release(base)), path: dest };
  }
  tree = withoutMarker(tree, [...o.sharedDirs, ...o.sharedFiles]);
  changes.push(...clearConflicts(dest, o.files, tree));
  changes.push(
    ...planTree(
      { dest, dirMode: o.dirMode, owner: o.owner, group: o.group, delete: true },
      o.files,
      tree,
    ),
  );
  changes.push(...sharedLinks(o, dest, facts));
  const marker = `${dest}/${RELEASE_MARKER}`;
  changes.push({
    kind: 'write',
    path: marker,
    content: Buffer.from(`${o.id}\n`),
    mode: '0644',
    owner: 'root',
    group: 'root',
    backup: false,
    before: { path: marker, exists: false },
    secret: false,
  });
  return changes;
}

/**
 * The current release copied into the new one's folder, on the host (its
 * marker and its links into shared/ left out), the folder itself given the attributes the task names
 * (its subfolders get theirs from the plan, which sees them in the copied tree).
 */
function copyFrom(from: string, to: string, o: BuildOptions): Change {
  const steps = [
    `rm -rf -- ${quote(to)}`,
    `cp -a -- ${quote(from)} ${quote(to)}`,
    `rm -f -- ${quote(`${to}/${RELEASE_MARKER}`)}`,
    // The last release's links into shared/: the plan makes the ones still asked for.
    `find ${quote(to)} -type l -lname ${quote(`${o.at.shared('*')}`)} -delete`,
  ];
  if (o.owner) steps.push(`chown ${quote(o.owner)} -- ${quote(to)}`);
  if (o.group) steps.push(`chgrp ${quote(o.group)} -- ${quote(to)}`);
  if (o.dirMode) steps.push(`chmod ${normalMode(o.dirMode)} -- ${quote(to)}`);
  return {
    kind: 'command',
    script: steps.join(' && '),
    reason: `the new release starts as a copy of ${path.posix.basename(from)} on the host`,
    label: `copy release ${path.posix.basename(from)} to ${path.posix.basename(to)} on the host`,
  };
}

function withoutMarker(tree: TreeFact, shared: readonly string[]): TreeFact {
  const entries = new Map(tree.entries);
  entries.delete(RELEASE_MARKER);
  // The copy drops the links to shared/ (copyFrom), and the release links them again.
  for (const rel of shared) if (entries.get(rel)?.type === 'link') entries.delete(rel);
  // The release folder's own attributes are set where it is made (copyFrom, mkdir).
  return { path: tree.path, isDirectory: tree.isDirectory, entries };
}

/**
 * What the copied tree holds in the way of the new one: a folder where a file
 * goes, a file where a folder goes. Both are the release's own (the copy it
 * just made), so they go first; `tree` then forgets them.
 */
function clearConflicts(dest: string, files: CopiedFile[], tree: TreeFact): Change[] {
  const wantedDirs = new Set(files.flatMap((f) => parentFolders(f.rel)));
  const conflicts = [...tree.entries]
    .filter(
      ([rel, e]) =>
        (e.type === 'directory' && files.some((f) => f.rel === rel)) ||
        (e.type === 'file' && wantedDirs.has(rel)),
    )
    .map(([rel]) => rel);
  for (const rel of conflicts)
    for (const key of [...tree.entries.keys()])
      if (key === rel || key.startsWith(`${rel}/`)) tree.entries.delete(key);
  return conflicts.map((rel) => {
    const p = path.posix.join(dest, rel);
    return { kind: 'remove', path: p, before: { path: p, exists: true } };
  });
}

/** shared/<dir> made when absent; every shared path linked into the release, in a folder of it. */
function sharedLinks(o: BuildOptions, dest: string, facts: FactView): Change[] {
  const changes: Change[] = [];
  const dirMode = normalMode(o.dirMode ?? '0755');
  const owner = o.owner ?? 'root';
  const group = o.group ?? 'root';
  for (const d of o.sharedDirs) {
    const at = facts.file(o.at.shared(d));
    if (!at.exists)
      changes.push({ kind: 'mkdir', path: o.at.shared(d), mode: dirMode, owner, group });
    else if (at.type !== 'directory' && at.type !== 'link')
      throw new PlanError(`${o.at.shared(d)} is a ${at.type ?? 'file'}, not a folder`);
  }
  // A shared path's folders that the source does not make, each made once.
  const made = new Set(o.files.flatMap((f) => parentFolders(f.rel)));
  for (const p of [...o.sharedDirs, ...o.sharedFiles]) {
    for (const parent of parentFolders(p)) {
      if (made.has(parent)) continue;
      made.add(parent);
      changes.push({
        kind: 'mkdir',
        path: path.posix.join(dest, parent),
        mode: dirMode,
        owner,
        group,
      });
    }
    const link = path.posix.join(dest, p);
    changes.push({
      kind: 'symlink',
      path: link,
      target: o.at.shared(p),
      before: { path: link, exists: false },
    });
  }
  return changes;
}
