/**
 * The switch of a release module's `current` link: to a new or earlier
 * release, the migration before it, the label that says what changes, and
 * what puts it back (a rollout's undo).
 */
import * as path from 'node:path';
import { quote } from '../core/shell';
import type { Change } from '../changes/model';
import {
  isWhole,
  linkedRelease,
  previousRelease,
  RELEASE_MARKER,
  wholeByTime,
} from '../facts/kinds/releases';
import type { FileFact, ReleasesFact } from '../facts/types';
import { PlanError } from './plan-error';
import type { ReleaseLayout } from './release-layout';

/** A release task's `migrate`, as its arguments give it. */
export interface MigrateSpec {
  cmd: string;
  on: boolean;
  user?: string;
  env_file?: string;
}

/**
 * `current` pointed at the release: a rename of a new link, never a moment
 * without one. A deploy first points `previous` at the release `current`
 * leaves (where a rollback goes). A rollback removes `previous`: the next
 * rollback goes on back in time, to the release made before this one, never
 * forward to the release it left.
 */
export function switchCurrent(
  at: ReleaseLayout,
  id: string,
  state: ReleasesFact,
  rollback = false,
): Change[] {
  const now = state.current;
  if (linkedRelease(state) === id) return [];
  if (now.type === 'other')
    throw new PlanError(`${at.current} is a file: it must be the link to the current release`);
  const changes: Change[] = [];
  if (now.type === 'directory')
    // A code base copied in place before releases: kept, moved aside, never removed.
    changes.push({
      kind: 'command',
      script: `mv -T -- ${quote(at.current)} ${quote(at.beforeReleases)}`,
      reason: `${at.current} is a folder (a deploy before releases): moved to releases/before-releases`,
    });
  const leaving =
    now.type === 'link'
      ? now.target
      : now.type === 'directory'
        ? 'releases/before-releases'
        : undefined;
  if (rollback && state.previous !== undefined)
    changes.push({ kind: 'remove', path: at.previous, before: previousBefore(at, state) });
  else if (!rollback && leaving !== undefined && leaving !== state.previous)
    changes.push({
      kind: 'symlink',
      path: at.previous,
      target: leaving,
      before: previousBefore(at, state),
    });
  changes.push({
    kind: 'symlink',
    path: at.current,
    target: `releases/${id}`,
    before:
      now.type === 'link'
        ? { path: at.current, exists: true, type: 'link', linkTarget: now.target }
        : { path: at.current, exists: false },
  });
  return changes;
}

/** What the `previous` link was before this run. */
function previousBefore(at: ReleaseLayout, state: ReleasesFact): FileFact {
  return state.previous !== undefined
    ? { path: at.previous, exists: true, type: 'link', linkTarget: state.previous }
    : { path: at.previous, exists: false };
}

/** The switch of `current` says which release goes, which comes, and which of its files differ. */
export function labelled(
  switching: Change[],
  at: ReleaseLayout,
  state: ReleasesFact,
  built: readonly Change[],
): Change[] {
  const link = switching.find((c) => c.kind === 'symlink' && c.path === at.current);
  if (!link || link.kind !== 'symlink') return switching;
  const id = path.posix.basename(link.target);
  const from = linkedRelease(state) ?? (state.current.type === 'absent' ? 'none' : 'a folder');
  const prefix = `${at.release(id)}/`;
  const files = built
    .filter((c) => (c.kind === 'write' || c.kind === 'remove') && c.path.startsWith(prefix))
    .map((c) => (c as { path: string }).path.slice(prefix.length))
    .filter((rel) => rel !== RELEASE_MARKER);
  const shown =
    files.slice(0, 8).join(', ') + (files.length > 8 ? `, +${files.length - 8} more` : '');
  const what =
    built.length === 0
      ? 'made earlier'
      : `files changed: ${files.length ? shown : 'none (attributes only)'}`;
  link.label = `release ${from} → ${id}, ${what}`;
  return switching;
}

/** The migration command before the switch to `id`, when this host runs it. */
export function migration(m: MigrateSpec | undefined, dir: string, id: string): Change[] {
  if (!m || !m.on || m.cmd.trim() === '') return [];
  // The environment file read literally (no quote or $ processing), as systemd reads
  // unquoted values: NAME=value lines; comments and any other line skipped.
  const file = m.env_file && quote(m.env_file);
  const env = file
    ? `[ -r ${file} ] || { echo ${quote(`migrate: cannot read ${m.env_file}`)} >&2; exit 1; }; while IFS= read -r fb_l || [ -n "$fb_l" ]; do case $fb_l in *=*) ;; *) continue ;; esac; fb_n=\${fb_l%%=*}; case $fb_n in ''|[0-9]*|*[!A-Za-z0-9_]*) continue ;; esac; export "$fb_l"; done < ${file}; `
    : '';
  // The command goes to the user's shell on stdin, never in a process's argv.
  const run = m.user
    ? `printf '%s\\n' ${quote(m.cmd)} | runuser -u ${quote(m.user)} -- sh -s`
    : m.cmd;
  return [
    {
      kind: 'command',
      script: `${env}${run}`,
      chdir: dir,
      label: `migrate: ${m.cmd}`,
      reason: `in release ${id}, before current switches to it`,
    },
  ];
}

/** The release `switch_to` names on this host (whole), or a PlanError saying which there are. */
export function switchTarget(name: string, state: ReleasesFact): string {
  const whole = wholeByTime(state).map((r) => r.name);
  const listed = whole.length ? whole.join(', ') : 'none';
  if (name === 'previous') {
    const previous = previousRelease(state);
    if (!previous)
      throw new PlanError(
        `no release before ${linkedRelease(state) ?? 'the current one'} to switch back to (whole releases: ${listed})`,
      );
    return previous;
  }
  if (!isWhole(state, name))
    throw new PlanError(
      `no whole release ${name} in ${state.dir}/releases (whole releases: ${listed})`,
    );
  return name;
}

/**
 * What puts back a run's switch of `current` (and `previous`), for a
 * rollout that switches a failed deploy back; undefined when `current` did
 * not switch or had nothing before.
 */
export function undoSwitch(
  at: ReleaseLayout,
  changes: readonly Change[],
): { changes: Change[]; to: string } | undefined {
  const link = (p: string) =>
    changes.find(
      (c): c is Extract<Change, { kind: 'symlink' }> => c.kind === 'symlink' && c.path === p,
    );
  const switched = link(at.current);
  if (!switched) return undefined;
  // Before releases, the code base was a folder: it was moved aside, and goes back as the target.
  const aside = quote(at.beforeReleases);
  const movedAside = changes.some((c) => c.kind === 'command' && !!c.script?.endsWith(aside));
  const before = switched.before;
  const target =
    before.exists && before.type === 'link'
      ? before.linkTarget
      : movedAside
        ? 'releases/before-releases'
        : undefined;
  if (target === undefined) return undefined;
  const undone: Change[] = [
    {
      kind: 'symlink',
      path: at.current,
      target,
      before: { path: at.current, exists: true, type: 'link', linkTarget: switched.target },
    },
  ];
  const removed = changes.find(
    (c): c is Extract<Change, { kind: 'remove' }> => c.kind === 'remove' && c.path === at.previous,
  );
  if (removed?.before.linkTarget !== undefined)
    // A rollback removed it: back as it was.
    undone.push({
      kind: 'symlink',
      path: at.previous,
      target: removed.before.linkTarget,
      before: { path: at.previous, exists: false },
    });
  const previous = link(at.previous);
  const had = previous?.before;
  if (previous && had?.exists && had.linkTarget !== undefined)
    undone.push({
      kind: 'symlink',
      path: at.previous,
      target: had.linkTarget,
      before: { path: at.previous, exists: true, type: 'link', linkTarget: previous.target },
    });
  else if (previous)
    undone.push({
      kind: 'remove',
      path: at.previous,
      before: { path: at.previous, exists: true, type: 'link', linkTarget: previous.target },
    });
  return { to: `release ${path.posix.basename(target.replace(/\/+$/, ''))}`, changes: undone };
}
