import { z } from 'zod';
import { packageName } from './arg-types';
import type { ModuleDefinition } from './module';

export const packageArgs = z.strictObject({
  name: z.union([packageName, z.array(packageName).min(1)]).describe('One package or a list.'),
  state: z
    .enum(['present', 'absent'])
    .default('present')
    .describe('Installed or removed (purged).'),
});

export type PackageArgs = z.infer<typeof packageArgs>;

export const packageModule: ModuleDefinition<PackageArgs> = {
  name: 'package',
  summary:
    'Install or remove Debian packages with apt (non-interactive; apt-get update only when something is missing).',
  args: packageArgs,
};
