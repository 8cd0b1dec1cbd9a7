import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { TemplateError } from '../core/errors';
import { resolveInside } from '../render/safe-path';
import { absolutePath, fileAttributes, fileMode } from './arg-types';
import type { FileFact, TreeEntry, TreeFact } from '../facts/types';
import type { Change } from '../changes/model';
import { normalMode, planAttributes, planFile } from './file-plan';
import { readLocalFile } from './local-file';
import type { DesiredFile, ModuleDefinition } from './module';
import { PlanError } from './plan-error';

export const copyArgs = z.strictObject({
  src: z.string().min(1).describe("File or folder, relative to the playbook's files/ folder."),
  dest: absolutePath.describe('Destination path on the host (a folder when src is one).'),
  ...fileAttributes,
  dir_mode: fileMode
    .optional()
    .describe('Mode of dest (a tree) and of the folders under it, made or already there.'),
  delete: z
    .boolean()
    .default(false)
    .describe(
      'Remove what is under dest and not in src: files, folders and links (a link only, never what it points to).',
    ),
});

export type CopyArgs = z.infer<typeof copyArgs>;

/** Lists a source file or tree: relative path → absolute local path. */
export function sourceTree(
  filesDir: string,
  src: string,
): { root: string; files: Map<string, string>; isDir: boolean } {
  const root = resolveInside(filesDir, src);
  if (!root)
    throw new TemplateError('', undefined, `copy source ${src} must stay inside ${filesDir}`);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch {
    throw new TemplateError(
      '',
      undefined,
      `copy source ${src}: no such file or folder in ${filesDir}`,
    );
  }
  const files = new Map<string, string>();
  if (!stat.isDirectory()) {
    files.set('', root);
    return { root, files, isDir: false };
  }
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, rel);
      else if (entry.isFile()) files.set(rel, full);
      else if (entry.isSymbolicLink())
        // Refused rather than skipped: a link could lead out of the files folder.
        throw new TemplateError(
          '',
          undefined,
          `copy source ${src}/${rel} is a symbolic link: copy takes regular files and folders only`,
        );
    }
  };
  walk(root, '');
  return { root, files, isDir: true };
}

/** A file of the source with where it lands: `rel` is its path under src ('' for a single file). */
export interface CopiedFile extends DesiredFile {
  rel: string;
}

/** The wanted state, declared once: every source file with its content and attributes on the host. */
export function copiedFiles(
  args: Pick<CopyArgs, 'src' | 'dest' | 'mode' | 'owner' | 'group'>,
  filesDir: string,
): { isDir: boolean; files: CopiedFile[] } {
  const tree = sourceTree(filesDir, args.src);
  const files = [...tree.files].map(([rel, local]) => ({
    rel,
    path: rel === '' ? args.dest : path.posix.join(args.dest, rel),
    content: readLocalFile(local),
    mode: args.mode,
    owner: args.owner,
    group: args.group,
  }));
  return { isDir: tree.isDir, files };
}

export const copyModule: ModuleDefinition<CopyArgs> = {
  name: 'copy',
  summary: 'Copy a file or a whole folder tree, transferring only the files that differ.',
  args: copyArgs,
  docs: {
    reads: ['file', 'tree'],
    dryRun:
      'Reports each file to create or update, each folder to create and, with `delete`, each path to remove; with `--diff` a unified diff per file.',
    example: {
      name: 'The code base',
      args: { src: 'site', dest: '{{app_dir}}/current', delete: true, mode: '0644' },
    },
  },
  files: (args, ctx) => copiedFiles(args, ctx.filesDir).files.map(({ rel: _rel, ...f }) => f),
  facts: (args, ctx) =>
    sourceTree(ctx.filesDir, args.src).isDir
      ? [{ kind: 'tree', path: args.dest }]
      : [{ kind: 'file', path: args.dest }],
  plan(args, facts, ctx) {
    const { isDir, files } = copiedFiles(args, ctx.filesDir);
    if (!isDir) return planFile(files[0]!, facts.file(args.dest));
    return planTree(
      {
        dest: args.dest,
        dirMode: args.dir_mode,
        owner: args.owner,
        group: args.group,
        delete: args.delete,
      },
      files,
      facts.tree(args.dest),
    );
  },
};

/** Where a tree goes, the attributes of the folders made for it, and whether extras go. */
export interface TreeTarget {
  dest: string;
  dirMode?: string;
  owner?: string;
  group?: string;
  delete: boolean;
}

/**
 * A folder tree: the folders to make (and the mode, owner and group asked
 * for on those already there), the files that differ and, with `delete`,
 * what is extra.
 */
export function planTree(target: TreeTarget, files: CopiedFile[], tree: TreeFact): Change[] {
  const changes: Change[] = [];
  const dirMode = target.dirMode ? normalMode(target.dirMode) : '0755';
  const owner = target.owner ?? 'root';
  const group = target.group ?? 'root';
  if (!tree.isDirectory)
    changes.push({ kind: 'mkdir', path: target.dest, mode: dirMode, owner, group });
  const wantedDirs = new Set(files.flatMap((f) => parentFolders(f.rel)));
  // Only what is asked: a folder keeps what the task does not name, as a file does.
  const fix = (p: string, now: TreeEntry) =>
    planAttributes(
      p,
      {
        mode: target.dirMode && normalMode(target.dirMode),
        owner: target.owner,
        group: target.group,
      },
      { path: p, exists: true, ...now },
    );
  // The destination folder itself, as the folders under it.
  if (tree.isDirectory && tree.root)
    changes.push(...fix(target.dest, { type: 'directory', ...tree.root }));
  for (const dir of [...wantedDirs].sort()) {
    const now = tree.entries.get(dir);
    if (now?.type === 'directory') changes.push(...fix(path.posix.join(target.dest, dir), now));
    if (now?.type === 'link') changes.push(replaceLink(target, dir));
    if (!now || now.type !== 'directory')
      changes.push({
        kind: 'mkdir',
        path: path.posix.join(target.dest, dir),
        mode: dirMode,
        owner,
        group,
      });
  }
  for (const f of files) changes.push(...planFile(f, entryFact(f.path, tree.entries.get(f.rel))));
  if (target.delete)
    changes.push(...extraEntries(target.dest, tree, [...files.map((f) => f.rel), ...wantedDirs]));
  return changes;
}

/**
 * A link where a folder of the tree goes: followed, it would take the tree's
 * mode, owner and files to the folder it points to, outside dest. Removed
 * (the link only) when the tree is the task's (`delete`), else refused.
 */
function replaceLink(target: TreeTarget, dir: string): Change {
  const p = path.posix.join(target.dest, dir);
  if (!target.delete)
    throw new PlanError(
      `${p} is a symbolic link where a folder of the tree goes: remove it by hand, or set delete: true to let the tree replace it`,
    );
  return { kind: 'remove', path: p, before: { path: p, exists: true, type: 'link' } };
}

/** The folders a relative path lies in, outermost first: `a/b/c` → `a`, `a/b`. */
export function parentFolders(rel: string): string[] {
  const parts = rel.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** What the tree fact says of one path, as a file fact. */
function entryFact(dest: string, now: TreeEntry | undefined): FileFact {
  if (!now) return { path: dest, exists: false };
  return {
    path: dest,
    exists: true,
    type: now.type,
    mode: now.mode,
    owner: now.owner,
    group: now.group,
    sha256: now.sha256,
  };
}

/** Removals of what is under dest and not wanted, in path order: nothing below a folder already removed. */
function extraEntries(dest: string, tree: TreeFact, wantedRel: string[]): Change[] {
  const wanted = new Set(wantedRel);
  const extras = [...tree.entries.keys()].filter((rel) => !wanted.has(rel)).sort();
  const removed: string[] = [];
  const changes: Change[] = [];
  for (const rel of extras) {
    if (removed.some((r) => rel.startsWith(`${r}/`))) continue;
    removed.push(rel);
    const p = path.posix.join(dest, rel);
    changes.push({
      kind: 'remove',
      path: p,
      before: { path: p, exists: true, type: tree.entries.get(rel)!.type },
    });
  }
  return changes;
}
