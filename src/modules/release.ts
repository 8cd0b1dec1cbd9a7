import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { z } from 'zod';
import { quote } from '../core/shell';
import type { Change } from '../changes/model';
import { isWhole, linkedRelease, RELEASE_MARKER } from '../facts/kinds/releases';
import type { FactRequest, ReleasesFact } from '../facts/types';
import { absolutePath, fileAttributes, fileMode, wholeNumber } from './arg-types';
import { copiedFiles, type CopiedFile } from './copy';
import { normalMode, sha256 } from './file-plan';
import type { DesiredFile, ModuleContext, ModuleDefinition } from './module';
import { PlanError } from './plan-error';
import { baseOf, build } from './release-build';
import { releaseLayout, type ReleaseLayout } from './release-layout';
import { planRetention } from './release-retention';

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
    const { id, files } = wanted(args, ctx);
    const state = facts.releases(at.dir);
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
    return [
      ...(isWhole(state, id) ? [] : build(options, state, facts)),
      ...switchCurrent(at, id, state),
      ...planRetention(state, { keep, current: id, releasesDir: at.releases }),
    ];
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

/** `current` pointed at the release: a rename of a new link, never a moment without one. */
function switchCurrent(at: ReleaseLayout, id: string, state: ReleasesFact): Change[] {
  const now = state.current;
  if (linkedRelease(state) === id) return [];
  if (now.type === 'other')
    throw new PlanError(`${at.current} is a file: it must be the link to the current release`);
  const changes: Change[] = [];
  if (now.type === 'directory')
    // A code base copied in place before releases: kept, moved aside, never removed.
    changes.push({
      kind: 'command',
      script: `mv -T -- ${quote(at.current)} ${quote(`${at.releases}/before-releases`)}`,
      reason: `${at.current} is a folder (a deploy before releases): moved to releases/before-releases`,
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
