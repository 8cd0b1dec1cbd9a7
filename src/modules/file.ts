import { z } from 'zod';
import { absolutePath, fileAttributes } from './arg-types';
import { PlanError } from './plan-error';
import { normalMode, planAttributes, planFile } from './file-plan';
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
  docs: {
    reads: ['file'],
    dryRun:
      'Reports the folder, link, removal or attribute change it would make. A path of the wrong type (a file where a folder is wanted) fails the task in a dry run as in apply.',
    example: {
      name: 'The certificates folder',
      args: {
        path: '/etc/haproxy/certs',
        state: 'directory',
        owner: 'root',
        group: 'haproxy',
        mode: '0750',
      },
    },
  },
  facts: () => [],
  plan: () => [],
};

fileModule.facts = (args) => [{ kind: 'file', path: args.path }];

fileModule.plan = (args, facts) => {
  const now = facts.file(args.path);
  const attrs = { mode: args.mode, owner: args.owner, group: args.group };
  switch (args.state) {
    case 'absent':
      return now.exists ? [{ kind: 'remove', path: args.path, before: now }] : [];
    case 'directory':
      if (!now.exists) {
        return [
          {
            kind: 'mkdir',
            path: args.path,
            mode: normalMode(args.mode ?? '0755'),
            owner: args.owner ?? 'root',
            group: args.group ?? 'root',
          },
        ];
      }
      if (now.type !== 'directory')
        throw new PlanError(`${args.path} exists and is not a directory (it is a ${now.type})`);
      return planAttributes(args.path, attrs, now);
    case 'link':
      if (now.exists && now.type === 'link' && now.linkTarget === args.src) return [];
      if (now.exists && now.type === 'directory')
        throw new PlanError(`${args.path} is a directory; refusing to replace it with a link`);
      return [{ kind: 'symlink', path: args.path, target: args.src!, before: now }];
    case 'touch':
      if (!now.exists) {
        return planFile({ path: args.path, content: Buffer.alloc(0), ...attrs }, now);
      }
      return planAttributes(args.path, attrs, now);
    case 'file':
      if (!now.exists)
        throw new PlanError(`${args.path} does not exist (use state: touch to create it)`);
      return planAttributes(args.path, attrs, now);
  }
};
