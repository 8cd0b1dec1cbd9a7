import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { TemplateError } from '../core/errors';
import { resolveInside } from '../render/safe-path';
import { absolutePath, fileAttributes, fileMode } from './arg-types';
import type { FileFact } from '../facts/types';
import type { Change } from '../changes/model';
import { normalMode, planFile } from './file-plan';
import { readLocalFile } from './local-file';
import type { DesiredFile, ModuleDefinition } from './module';

export const copyArgs = z.strictObject({
  src: z.string().min(1).describe("File or folder, relative to the playbook's files/ folder."),
  dest: absolutePath.describe('Destination path on the host (a folder when src is one).'),
  ...fileAttributes,
  dir_mode: fileMode.optional().describe('Mode of folders created under dest.'),
  delete: z.boolean().default(false).describe('Remove files under dest that are not in src.'),
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
  files(args, ctx) {
    const tree = sourceTree(ctx.filesDir, args.src);
    const out: DesiredFile[] = [];
    for (const [rel, local] of tree.files) {
      const dest = rel === '' ? args.dest : path.posix.join(args.dest, rel);
      out.push({
        path: dest,
        content: readLocalFile(local),
        mode: args.mode,
        owner: args.owner,
        group: args.group,
      });
    }
    return out;
  },
  facts: () => [],
  plan: () => [],
};

/** Where each source file lands on the host. */
export function copyTargets(
  args: CopyArgs,
  filesDir: string,
): { dest: string; local: string; rel: string }[] {
  const tree = sourceTree(filesDir, args.src);
  return [...tree.files].map(([rel, local]) => ({
    rel,
    local,
    dest: rel === '' ? args.dest : path.posix.join(args.dest, rel),
  }));
}

function isTree(args: CopyArgs, filesDir: string): boolean {
  return sourceTree(filesDir, args.src).isDir;
}

copyModule.facts = (args, ctx) =>
  isTree(args, ctx.filesDir)
    ? [{ kind: 'tree', path: args.dest }]
    : [{ kind: 'file', path: args.dest }];

copyModule.plan = (args, facts, ctx) => {
  const targets = copyTargets(args, ctx.filesDir);
  if (!isTree(args, ctx.filesDir)) {
    const content = readLocalFile(targets[0]!.local);
    return planFile({ ...args, path: args.dest, content }, facts.file(args.dest));
  }
  const tree = facts.tree(args.dest);
  const changes: Change[] = [];
  const dirMode = args.dir_mode ? normalMode(args.dir_mode) : '0755';
  const owner = args.owner ?? 'root';
  const group = args.group ?? 'root';
  if (!tree.isDirectory)
    changes.push({ kind: 'mkdir', path: args.dest, mode: dirMode, owner, group });
  const wantedDirs = new Set<string>();
  for (const t of targets) {
    const parts = t.rel.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) wantedDirs.add(parts.slice(0, i).join('/'));
  }
  for (const dir of [...wantedDirs].sort()) {
    const now = tree.entries.get(dir);
    const p = path.posix.join(args.dest, dir);
    if (!now || now.type !== 'directory')
      changes.push({ kind: 'mkdir', path: p, mode: dirMode, owner, group });
  }
  for (const t of targets) {
    const now = tree.entries.get(t.rel);
    const before: FileFact = now
      ? {
          path: t.dest,
          exists: true,
          type: now.type,
          mode: now.mode,
          owner: now.owner,
          group: now.group,
          sha256: now.sha256,
        }
      : { path: t.dest, exists: false };
    changes.push(
      ...planFile(
        {
          path: t.dest,
          content: readLocalFile(t.local),
          mode: args.mode,
          owner: args.owner,
          group: args.group,
        },
        before,
      ),
    );
  }
  if (args.delete) {
    const wanted = new Set([...targets.map((t) => t.rel), ...wantedDirs]);
    // Deepest first, and nothing below an already-removed folder.
    const extras = [...tree.entries.keys()].filter((rel) => !wanted.has(rel)).sort();
    const removed: string[] = [];
    for (const rel of extras) {
      if (removed.some((r) => rel.startsWith(`${r}/`))) continue;
      removed.push(rel);
      const e = tree.entries.get(rel)!;
      changes.push({
        kind: 'remove',
        path: path.posix.join(args.dest, rel),
        before: { path: path.posix.join(args.dest, rel), exists: true, type: e.type },
      });
    }
  }
  return changes;
};
