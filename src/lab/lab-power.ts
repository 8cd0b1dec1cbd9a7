/**
 * Powering single hosts of a running lab off and on again, keeping their
 * disks: a host that dies and comes back (failover tests), not a reset.
 */
import { bootHost, stopHost, waitForHost } from './host-lifecycle';
import type { Progress } from './machine';
import { allSettledOrThrow } from './parallel';
import { isSameProcessAlive } from './processes';
import { withRunningLab } from './running-lab';

export interface PowerOptions {
  root?: string;
  bootTimeoutMs?: number;
  progress?: Progress;
}

/** `off`: the host shuts down and stays off (its disk stays); `on`: it boots from that disk. */
export async function powerHosts(
  name: string | undefined,
  hosts: readonly string[],
  power: 'on' | 'off',
  options: PowerOptions = {},
): Promise<string[]> {
  const progress: Progress = options.progress ?? (() => undefined);
  const command = `lab ${power === 'on' ? 'start' : 'stop'}`;
  return withRunningLab(
    command,
    name,
    { ...options, hosts },
    async ({ store, ctx, hosts: chosen }) => {
      const changed: string[] = [];
      await allSettledOrThrow(
        chosen.map(async (host) => {
          const running = isSameProcessAlive(store.host(host.name).process);
          if (power === 'off' && running) {
            progress(`powering ${host.name} off`);
            await stopHost(store, host.name, { keepDisk: true });
            changed.push(host.name);
          } else if (power === 'on' && !running) {
            progress(`booting ${host.name} from its disk`);
            await bootHost(ctx, host, { keepDisk: true });
            await waitForHost(ctx, host, options.bootTimeoutMs ?? 120_000);
            changed.push(host.name);
          }
        }),
      );
      return changed;
    },
  );
}
