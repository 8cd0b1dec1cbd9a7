import { z } from 'zod';
import { unitName } from './arg-types';
import type { ModuleDefinition } from './module';

export const serviceArgs = z.strictObject({
  name: unitName.describe('systemd unit (".service" may be left out).'),
  state: z
    .enum(['started', 'stopped', 'restarted', 'reloaded'])
    .optional()
    .describe('Wanted state; restarted/reloaded always act.'),
  enabled: z.boolean().optional().describe('Started at boot.'),
  daemon_reload: z
    .boolean()
    .default(false)
    .describe('Run systemctl daemon-reload first when unit files changed.'),
});

export type ServiceArgs = z.infer<typeof serviceArgs>;

export const serviceModule: ModuleDefinition<ServiceArgs> = {
  name: 'service',
  summary: 'Start, stop, restart or reload a systemd service, and enable or disable it.',
  args: serviceArgs,
};
