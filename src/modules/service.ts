import { z } from 'zod';
import { unitName as normalUnit } from '../facts/types';
import { unitName } from './arg-types';
import type { Change } from '../changes/model';
import type { ModuleDefinition } from './module';

export const serviceArgs = z.strictObject({
  name: unitName.describe('systemd unit (".service" may be left out).'),
  state: z
    .enum(['started', 'stopped', 'restarted', 'reloaded'])
    .optional()
    .describe('Wanted state; restarted and reloaded always act (use them in handlers).'),
  enabled: z.boolean().optional().describe('Started at boot.'),
  daemon_reload: z.boolean().default(false).describe('Run systemctl daemon-reload first.'),
});

export type ServiceArgs = z.infer<typeof serviceArgs>;

export const serviceModule: ModuleDefinition<ServiceArgs> = {
  name: 'service',
  summary: 'Start, stop, restart or reload a systemd service, and enable or disable it.',
  args: serviceArgs,
  docs: {
    reads: ['units'],
    dryRun:
      'Reports the start, stop, enable, disable or daemon-reload it would run; `restarted` and `reloaded` are always reported, which is why they belong in handlers. A handler notified in a dry run is reported as it would run.',
    example: {
      name: 'HAProxy runs at boot',
      args: { name: 'haproxy', state: 'started', enabled: true },
    },
  },
  facts: (args) => [{ kind: 'units', names: [args.name] }],
  plan(args, facts) {
    const unit = facts.units([args.name]).get(args.name)!;
    const name = normalUnit(args.name);
    const changes: Change[] = [];
    // Only when systemd says a unit file changed on disk: a converged run does nothing.
    if (args.daemon_reload && unit.needDaemonReload)
      changes.push({ kind: 'service', unit: name, action: 'daemon-reload' });
    const active =
      unit.activeState === 'active' ||
      unit.activeState === 'reloading' ||
      unit.activeState === 'activating';
    switch (args.state) {
      case 'started':
        if (!active) changes.push({ kind: 'service', unit: name, action: 'start' });
        break;
      case 'stopped':
        if (active) changes.push({ kind: 'service', unit: name, action: 'stop' });
        break;
      case 'restarted':
        changes.push({ kind: 'service', unit: name, action: 'restart' });
        break;
      case 'reloaded':
        // Reloading a stopped service starts nothing: start it instead.
        changes.push({ kind: 'service', unit: name, action: active ? 'reload' : 'start' });
        break;
    }
    if (args.enabled !== undefined) {
      const enabled = [
        'enabled',
        'enabled-runtime',
        'alias',
        'static',
        'indirect',
        'generated',
      ].includes(unit.unitFileState);
      if (args.enabled && !enabled) changes.push({ kind: 'service', unit: name, action: 'enable' });
      if (!args.enabled && unit.unitFileState === 'enabled')
        changes.push({ kind: 'service', unit: name, action: 'disable' });
    }
    return changes;
  },
};
