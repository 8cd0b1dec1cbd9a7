import { z } from 'zod';
import { absolutePath, templated } from './arg-types';
import type { Change } from '../changes/model';
import type { ModuleDefinition } from './module';

const name = templated(/^[a-z_][a-z0-9_-]{0,31}$/, 'not a user name');

export const userArgs = z.strictObject({
  name: name.describe('User name.'),
  state: z.enum(['present', 'absent']).default('present').describe('The account exists, or not.'),
  system: z
    .boolean()
    .default(false)
    .describe('A system account (low uid, no aging), for a service.'),
  home: absolutePath.optional().describe('Home folder (created for a new account).'),
  create_home: z
    .boolean()
    .default(true)
    .describe('Create the home folder of a new account (false for a service, e.g. /nonexistent).'),
  shell: absolutePath.default('/usr/sbin/nologin').describe('Login shell.'),
  groups: z
    .array(name)
    .default([])
    .describe('Supplementary groups it must be in (others are left alone).'),
});

export type UserArgs = z.infer<typeof userArgs>;

export const userModule: ModuleDefinition<UserArgs> = {
  name: 'user',
  summary: 'A local user account: created with its own group, home and shell; removed when absent.',
  args: userArgs,
  docs: {
    reads: ['account'],
    dryRun: 'Reports the `useradd`, `usermod` or `userdel` command it would run.',
    example: {
      name: "The application's system user",
      args: { name: '{{app_user}}', system: true, home: '{{app_dir}}' },
    },
  },
  facts: (args) => [{ kind: 'account', name: args.name }],
  plan(args, facts) {
    const now = facts.account(args.name);
    if (args.state === 'absent') {
      return now.exists ? [command(['userdel', '--', args.name], `user ${args.name} exists`)] : [];
    }
    if (!now.exists) {
      const argv = ['useradd', '--user-group', '--shell', args.shell];
      if (args.system) argv.push('--system');
      if (args.home)
        argv.push('--home-dir', args.home, args.create_home ? '--create-home' : '--no-create-home');
      else argv.push('--no-create-home');
      if (args.groups.length) argv.push('--groups', args.groups.join(','));
      return [command([...argv, '--', args.name], `user ${args.name} is missing`)];
    }
    const changes: Change[] = [];
    const mod: string[] = [];
    if (now.shell !== args.shell) mod.push('--shell', args.shell);
    if (args.home && now.home !== args.home) mod.push('--home', args.home);
    const missing = args.groups.filter((g) => !now.groups?.includes(g));
    if (missing.length) mod.push('--append', '--groups', missing.join(','));
    if (mod.length)
      changes.push(command(['usermod', ...mod, '--', args.name], `user ${args.name} differs`));
    return changes;
  },
};

function command(argv: string[], reason: string): Change {
  return { kind: 'command', argv, reason };
}
