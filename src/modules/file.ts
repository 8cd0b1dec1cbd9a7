import { z } from 'zod';
import { absolutePath, fileAttributes } from './arg-types';
import type { ModuleDefinition } from './module';

export const fileArgs = z
  .strictObject({
    path: absolutePath.describe('Path on the host.'),
    state: z
      .enum(['directory', 'link', 'absent', 'file', 'touch'])
      .default('file')
      .describe('What the path must be.'),
    src: z.string().min(1).optional().describe('For state=link: the link target.'),
    ...fileAttributes,
  })
  .refine((a) => a.state !== 'link' || a.src !== undefined, {
    message: 'state=link needs src (the target)',
    path: ['src'],
  });

export type FileArgs = z.infer<typeof fileArgs>;

export const fileModule: ModuleDefinition<FileArgs> = {
  name: 'file',
  summary: 'A directory, a symlink, an absent path, or the mode and owner of an existing file.',
  args: fileArgs,
};
