import { z } from 'zod';
import { absolutePath } from './arg-types';
import type { FactRequest } from '../facts/types';
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
  docs: {
    reads: ['exists', 'exit'],
    dryRun:
      'Reports that the command would run and why (the guard that is not met, or "no guard"). The command never runs in a dry run, so later tasks are planned without its effect.',
    example: {
      name: 'Diffie-Hellman parameters',
      args: {
        cmd: 'openssl dhparam -out /etc/haproxy/dhparams.pem 2048',
        creates: '/etc/haproxy/dhparams.pem',
      },
    },
  },
  facts(args) {
    const out: FactRequest[] = [];
    if (args.creates) out.push({ kind: 'exists', path: args.creates });
    if (args.removes) out.push({ kind: 'exists', path: args.removes });
    if (args.unless) out.push({ kind: 'exit', script: args.unless });
    return out;
  },
  plan(args, facts) {
    if (args.creates && facts.exists(args.creates)) return [];
    if (args.removes && !facts.exists(args.removes)) return [];
    if (args.unless && facts.exit(args.unless) === 0) return [];
    const reason = args.creates
      ? `${args.creates} does not exist`
      : args.removes
        ? `${args.removes} exists`
        : args.unless
          ? `check "${args.unless}" failed`
          : 'no guard: runs every time';
    return [{ kind: 'command', argv: args.argv, script: args.cmd, chdir: args.chdir, reason }];
  },
};
