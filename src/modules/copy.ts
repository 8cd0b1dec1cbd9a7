import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { TemplateError } from '../core/errors';
import { resolveInside } from '../render/safe-path';
import { absolutePath, fileAttributes, fileMode } from './arg-types';
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
  if (!root) throw new TemplateError(src, undefined, `copy source must stay inside ${filesDir}`);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch {
    throw new TemplateError(src, undefined, `no such file or folder in ${filesDir}`);
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
    }
  };
  walk(root, '');
  return { root, files, isDir: true };
}

export const copyModule: ModuleDefinition<CopyArgs> = {
  name: 'copy',
  summary: 'Copy a file or a whole folder tree, transferring only the files that differ.',
  args: copyArgs,
  files(args, ctx) {
    const tree = sourceTree(ctx.filesDir, args.src);
    const out: DesiredFile[] = [];
    for (const [rel, local] of tree.files) {
      const dest = rel === '' ? args.dest : path.posix.join(args.dest, rel);
      out.push({
        path: dest,
        content: fs.readFileSync(local),
        mode: args.mode,
        owner: args.owner,
        group: args.group,
      });
    }
    return out;
  },
};
