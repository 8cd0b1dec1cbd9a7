import { z } from 'zod';
import { absolutePath } from './arg-types';
import type { ModuleDefinition } from './module';

export const commandArgs = z
  .strictObject({
    cmd: z.string().min(1).optional().describe('A shell command line.'),
    argv: z.array(z.string()).min(1).optional().describe('A command as a list (no shell).'),
    creates: absolutePath.optional().describe('Skip when this path exists.'),
    removes: absolutePath.optional().describe('Skip when this path does not exist.'),
    unless: z
      .string()
      .min(1)
      .optional()
      .describe('Skip when this read-only check command exits 0.'),
    chdir: absolutePath.optional().describe('Working folder.'),
  })
  .refine((a) => (a.cmd === undefined) !== (a.argv === undefined), {
    message: 'give exactly one of cmd or argv',
  });

export type CommandArgs = z.infer<typeof commandArgs>;

export const commandModule: ModuleDefinition<CommandArgs> = {
  name: 'command',
  summary: 'Run a command, made idempotent by creates, removes or unless guards.',
  args: commandArgs,
};
