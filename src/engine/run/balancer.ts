import { FoobarError } from '../../core/errors';
import { quote } from '../../core/shell';
import { parseShowStat, type BackendServer } from '../../facts/haproxy-csv';
import { factKey, type FactRequest } from '../../facts/types';
import type { HostDriver } from '../host-driver';
import type { BalancerSpec } from './rollout-spec';

/** A rollout step could not be taken (a balancer unreachable, a server it does not know). */
export class RolloutError extends FoobarError {
  readonly kind = 'rollout';
}

/** What one load balancer says of the host's server, and of the backend's other servers. */
export interface ServerView {
  server: BackendServer;
  /** Other servers of the backend that take traffic now. */
  othersServing: number;
}

/** A server takes traffic: UP, with no admin state and no failing check. */
export const isUp = (s: BackendServer) => s.status === 'UP' || s.status === 'no check';

/** `show stat` on the balancer's admin socket, for the host's server. */
export async function serverView(
  driver: HostDriver,
  spec: BalancerSpec,
): Promise<ServerView | string> {
  const request: FactRequest = { kind: 'haproxy_stat', socket: spec.socket };
  const fact = (await driver.gather([request])).facts.get(factKey(request));
  const value = fact?.kind === 'haproxy_stat' ? fact.value : undefined;
  if (!value) return `no answer from HAProxy on ${driver.host}`;
  if (!value.ok) return `${driver.host}: ${value.error}`;
  let servers: BackendServer[];
  try {
    servers = parseShowStat(value.csv);
  } catch (error) {
    return `${driver.host}: ${(error as Error).message}`;
  }
  const inBackend = servers.filter((s) => s.backend === spec.backend);
  const server = inBackend.find((s) => s.server === spec.server);
  if (!server)
    throw new RolloutError(
      `HAProxy on ${driver.host} has no server ${spec.backend}/${spec.server} (servers there: ${inBackend.map((s) => s.server).join(', ') || 'none'})`,
    );
  const othersServing = inBackend.filter((s) => s !== server && isUp(s)).length;
  return { server, othersServing };
}

/**
 * Sets the server's admin state through the runtime API. HAProxy answers an
 * empty line when it took the command, and says why when it did not.
 */
export async function setServerState(
  driver: HostDriver,
  spec: BalancerSpec,
  state: 'ready' | 'drain',
): Promise<void> {
  const line = `set server ${spec.backend}/${spec.server} state ${state}`;
  const script = [
    `fb_out=$(printf '%s\\n' ${quote(line)} | timeout 10 socat -t 5 stdio ${quote(`unix-connect:${spec.socket}`)}) || exit 1`,
    `if [ -n "$(printf '%s' "$fb_out" | tr -d '[:space:]')" ]; then printf 'HAProxy: %s\\n' "$fb_out" >&2; exit 1; fi`,
  ].join('\n');
  await driver.execute(
    [{ kind: 'command', script, label: line, reason: `${spec.server} ${state} on ${driver.host}` }],
    {},
  );
}
