/**
 * How every command that works on hosts (apply, diff, status, promote) opens
 * one: the SSH transport, loaded on first use (validate and render never load
 * it); the host's connection settings from the inventory, with its secrets;
 * one RemoteDriver per connection, which can open a new connection of its own
 * to the same host (a firewall's confirmation).
 */
import type { Inventory } from '../inventory/model';
import type { SecretValue } from '../render/context';
import type { Transport } from '../transport/types';
import type { LockRequest } from './lock-script';
import { RemoteDriver, type CommandTrace } from './remote-driver';
import { connectTarget } from './targets';

export interface SessionSettings {
  /** Trust the key of a host not yet in known_hosts (never a changed one). */
  acceptNew: boolean;
  /** How long one remote command may run. */
  commandTimeoutMs: number;
  /** The run lock every gather takes (apply, diff); absent: no lock (status, promote's reads). */
  lock?: LockRequest;
  /** True for a lock holder (its owner text) known to be dead. */
  isDeadHolder?: (owner: string) => boolean;
}

export type OpenSession = (
  host: string,
  trace?: (command: CommandTrace) => void,
) => Promise<RemoteDriver>;

export function sessionOpener(
  inventory: Inventory,
  secret: SecretValue,
  settings: SessionSettings,
): OpenSession {
  let transport: Promise<Transport> | undefined;
  return async (host, trace) => {
    transport ??= import('../transport').then((t) => t.sshTransport());
    const ssh = await transport;
    const target = connectTarget(inventory, host, { acceptNew: settings.acceptNew, secret });
    const connection = await ssh.connect(target);
    return new RemoteDriver(
      connection,
      settings.commandTimeoutMs,
      trace,
      settings.lock,
      settings.isDeadHolder,
      () => ssh.connect(target, { fresh: true }),
    );
  };
}
