import { z } from 'zod';
import { packageName } from './arg-types';
import type { ModuleDefinition } from './module';

export const packageArgs = z.strictObject({
  name: z.union([packageName, z.array(packageName).min(1)]).describe('One package or a list.'),
  state: z
    .enum(['present', 'absent'])
    .default('present')
    .describe('Installed, or removed (purged).'),
});

export type PackageArgs = z.infer<typeof packageArgs>;

const names = (args: PackageArgs) => (Array.isArray(args.name) ? args.name : [args.name]);

export const packageModule: ModuleDefinition<PackageArgs> = {
  name: 'package',
  summary:
    'Install or remove Debian packages with apt (non-interactive; apt-get update only when something is missing; waits on the dpkg lock).',
  args: packageArgs,
  long: true,
  docs: {
    reads: ['packages'],
    dryRun:
      'Lists the packages it would install or remove. Later tasks are planned against the host as it is, without them.',
    example: { name: 'HAProxy is installed', args: { name: 'haproxy' } },
  },
  facts: (args) => [{ kind: 'packages', names: names(args) }],
  plan(args, facts) {
    const state = facts.packages(names(args));
    const list = names(args);
    if (args.state === 'present') {
      const missing = list.filter((n) => !state.get(n)?.installed);
      return missing.length ? [{ kind: 'packages', install: missing, remove: [] }] : [];
    }
    const present = list.filter((n) => state.get(n)?.installed);
    return present.length ? [{ kind: 'packages', install: [], remove: present }] : [];
  },
};
