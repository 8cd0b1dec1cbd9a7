import { emptyTimings } from '../events';
import type { HostDriver } from '../host-driver';
import type { RunRecord } from './record';

/**
 * One connection per host per run, opened when the host is first needed and
 * shared by every play. A host that cannot be reached is marked unreachable
 * once; later plays skip it.
 */
export class HostConnections {
  readonly drivers = new Map<string, HostDriver>();
  private readonly connecting = new Map<string, Promise<HostDriver | undefined>>();

  constructor(
    private readonly connect: (host: string) => Promise<HostDriver>,
    private readonly record: RunRecord,
  ) {}

  /** The host's driver, or undefined when it is unreachable (already reported). */
  driver(host: string): Promise<HostDriver | undefined> {
    const existing = this.drivers.get(host);
    if (existing) return Promise.resolve(existing);
    let pending = this.connecting.get(host);
    if (!pending) {
      pending = this.record
        .timed(host, 'connect', () => this.connect(host))
        .then(
          (d) => {
            this.drivers.set(host, d);
            return d;
          },
          (error: unknown) => {
            this.record.markUnreachable(host, error);
            return undefined;
          },
        );
      this.connecting.set(host, pending);
    }
    return pending;
  }

  /** Adds each host's connection and command counts to its timings. */
  countTimings(): void {
    for (const [host, d] of this.drivers) {
      const t = (this.record.timings[host] ??= emptyTimings());
      t.connections = d.connections;
      t.commands = d.commands;
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.drivers.values()].map((d) => d.close().catch(() => undefined)));
  }
}
