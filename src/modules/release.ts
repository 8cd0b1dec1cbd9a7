import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { z } from 'zod';
import { isWhole, RELEASE_MARKER } from '../facts/kinds/releases';
import type { FactRequest } from '../facts/types';
import { absolutePath, fileAttributes, fileMode, flag, userName, wholeNumber } from './arg-types';
import { copiedFiles, type CopiedFile } from './copy';
import { normalMode, sha256 } from './file-plan';
import type { DesiredFile, ModuleContext, ModuleDefinition } from './module';
import { PlanError } from './plan-error';
import { baseOf, build } from './release-build';
import { releaseLayout } from './release-layout';
import { planRetention } from './release-retention';
import { labelled, migration, switchCurrent, switchTarget, undoSwitch } from './release-switch';

/** A path under the shared folder: relative, each part a name (no `.`, `..` or empty part). */
const sharedPath = z
  .string()
  .refine(
    (p) =>
      p
        .split('/')
        .every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\0')),
    'a relative path of names: no leading or trailing /, no empty, . or .. part',
  );

export const releaseArgs = z.strictObject({
  src: z
    .string()
    .min(1)
    .describe("The code base: a folder relative to the playbook's files/ folder."),
  dir: absolutePath.describe(
    'The application folder: it holds releases/<id>, shared/ and the current link.',
  ),
  keep: wholeNumber('keep is a whole number of releases, 2 or more')
    .default(5)
    .describe('Releases kept on the host; the current and the previous one are always among them.'),
  shared_dirs: z
    .array(sharedPath)
    .default([])
    .describe('Folders under shared/ linked into every release (uploads): made when absent.'),
  shared_files: z
    .array(sharedPath)
    .default([])
    .describe('Files under shared/ linked into every release (.env), written by other tasks.'),
  ...fileAttributes,
  dir_mode: fileMode.optional().describe('Mode of the folders of a release.'),
  migrate: z
    .strictObject({
      cmd: z
        .string()
        .describe(
          'A shell command run in the new release folder before `current` switches to it (a database migration); a failure stops the switch. Empty: none.',
        ),
      on: flag
        .default(true)
        .describe(
          'Whether this host runs it: true on one host only (e.g. the database primary), the first the rollout reaches.',
        ),
      user: userName.optional().describe('Run it as this user (runuser); else as root.'),
      env_file: absolutePath
        .optional()
        .describe(
          "NAME=value lines (the application's environment file) exported first, read literally.",
        ),
    })
    .optional()
    .describe(
      'A migration run once per new release, on the host(s) where `on` holds, before the switch; never on a rollback.',
    ),
  switch_to: z
    .string()
    .regex(/^(previous|[A-Za-z0-9._-]+)$/, 'a release name, or previous')
    .optional()
    .describe(
      'Switch `current` to a release made earlier on the host instead of deploying `src`: its id, or `previous` (the release made before the current one). What `foobar-infra rollback` sets.',
    ),
});

export type ReleaseArgs = z.infer<typeof releaseArgs>;

/** What a release is made of; its id is a hash of all of it, so the same code makes the same release. */
interface WantedRelease {
  id: string;
  files: CopiedFile[];
}

export const releaseModule: ModuleDefinition<ReleaseArgs> = {
  name: 'release',
  summary:
    'Deploy a code base as a release: its own folder, shared paths linked in, `current` switched atomically, old releases pruned.',
  args: releaseArgs,
  docs: {
    reads: ['releases', 'tree', 'file'],
    dryRun:
      'Reports the release to make (the files that differ from the current release, as it is copied on the host first), the switch of `current` from the old release to the new one, and the old releases to remove.',
    example: {
      name: 'The code base',
      args: { src: 'site', dir: '{{app_dir}}', keep: 5, shared_dirs: ['uploads'], mode: '0644' },
    },
  },
  // What the host serves, seen through `current`: the same paths whatever the release's id.
  files(args, ctx) {
    const current = releaseLayout(args.dir).current;
    return wanted(args, ctx).files.map(({ rel, ...f }): DesiredFile => ({
      ...f,
      path: `${current}/${rel}`,
    }));
  },
  facts(args) {
    const at = releaseLayout(args.dir);
    return [
      { kind: 'releases', dir: at.dir },
      ...args.shared_dirs.map((d): FactRequest => ({ kind: 'file', path: at.shared(d) })),
    ];
  },
  moreFacts(args, facts, ctx) {
    if (args.switch_to) return [];
    const at = releaseLayout(args.dir);
    const state = facts.releases(at.dir);
    const id = wanted(args, ctx).id;
    if (isWhole(state, id)) return [];
    const base = baseOf(state, id);
    return base ? [{ kind: 'tree', path: at.release(base) }] : [];
  },
  plan(args, facts, ctx) {
    const keep = Number(args.keep);
    if (!Number.isInteger(keep) || keep < 2)
      throw new PlanError(
        `keep must be 2 or more (the current and the previous release), not ${String(args.keep)}`,
      );
    const at = releaseLayout(args.dir);
    const state = facts.releases(at.dir);
    if (args.switch_to)
      return labelled(
        switchCurrent(at, switchTarget(args.switch_to, state), state, true),
        at,
        state,
        [],
      );
    const { id, files } = wanted(args, ctx);
    const options = {
      at,
      id,
      files,
      dirMode: args.dir_mode,
      owner: args.owner,
      group: args.group,
      sharedDirs: args.shared_dirs,
      sharedFiles: args.shared_files,
    };
    const built = isWhole(state, id) ? [] : build(options, state, facts);
    const switching = labelled(switchCurrent(at, id, state), at, state, built);
    return [
      ...built,
      ...(switching.length > 0 ? migration(args.migrate, at.release(id), id) : []),
      ...switching,
      ...planRetention(state, { keep, current: id, releasesDir: at.releases }),
    ];
  },
  undo(args, changes) {
    const undone = undoSwitch(releaseLayout(args.dir), changes);
    return undone && (args.switch_to ? { ...undone, returning: true } : undone);
  },
};

/** The release the source makes: its files under releases/<id>, and its id. */
function wanted(args: ReleaseArgs, ctx: ModuleContext): WantedRelease {
  const at = releaseLayout(args.dir);
  const { isDir, files } = copiedFiles({ ...args, dest: '/' }, ctx.filesDir);
  if (!isDir) throw new PlanError(`release source ${args.src} must be a folder`);
  if (files.some((f) => f.rel === RELEASE_MARKER))
    throw new PlanError(
      `${args.src}/${RELEASE_MARKER} is the name of the release marker: rename it`,
    );
  for (const shared of [...args.shared_dirs, ...args.shared_files])
    if (
      files.some(
        (f) => f.rel === shared || f.rel.startsWith(`${shared}/`) || shared.startsWith(`${f.rel}/`),
      )
    )
      throw new PlanError(
        `shared path ${shared} is also in ${args.src}: it comes from shared/ only`,
      );
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.rel < b.rel ? -1 : 1)))
    hash.update(`${f.rel}\0${sha256(f.content)}\n`);
  const mode = args.mode && normalMode(args.mode);
  const dirMode = args.dir_mode && normalMode(args.dir_mode);
  const { owner, group, shared_dirs, shared_files } = args;
  hash.update(JSON.stringify({ mode, owner, group, dir_mode: dirMode, shared_dirs, shared_files }));
  const id = hash.digest('hex').slice(0, 12);
  return {
    id,
    files: files.map((f) => ({ ...f, path: path.posix.join(at.release(id), f.rel) })),
  };
}
