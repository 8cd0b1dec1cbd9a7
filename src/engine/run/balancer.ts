import { FoobarError } from '../../core/errors';
import { quote } from '../../core/shell';
import { parseShowStat, type BackendServer } from '../../facts/haproxy-csv';
import { selectHosts } from '../../inventory/patterns';
import { FactView } from '../../modules/fact-view';
import type { HostDriver } from '../host-driver';
import type { RunContext } from './options';
import type { BalancerSpec } from './rollout-spec';
import { until } from './wait';

/**
 * A rollout step on a load balancer could not be taken (unreachable, a
 * server it does not know, a refused command). Never a connection loss of
 * the web host: it is reported as the gate's failure.
 */
export class RolloutError extends FoobarError {
  readonly kind = 'rollout';
}

/** What one load balancer says of the host's server, and of the backend's other servers. */
interface ServerView {
  server: BackendServer;
  /** Other servers of the backend that take traffic now. */
  othersServing: number;
}

/** A server takes traffic: UP, with no admin state and no failing check. */
export const isUp = (s: BackendServer) => s.status === 'UP' || s.status === 'no check';

/** Work on a balancer: any failure there is a RolloutError naming it. */
async function onBalancer<T>(lb: HostDriver, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RolloutError) throw error;
    throw new RolloutError(`load balancer ${lb.host}: ${(error as Error).message}`);
  }
}

/** `show stat` on the balancer's admin socket, for the host's server; why not, as text. */
async function serverView(lb: HostDriver, spec: BalancerSpec): Promise<ServerView | string> {
  const where = { socket: spec.socket };
  const gathered = await lb.gather([{ kind: 'haproxy_stat', ...where }]);
  const value = new FactView(gathered.facts).haproxyStat(where);
  if (!value.ok) return `${lb.host}: ${value.error}`;
  let servers: BackendServer[];
  try {
    servers = parseShowStat(value.csv);
  } catch (error) {
    return `${lb.host}: ${(error as Error).message}`;
  }
  const inBackend = servers.filter((s) => s.backend === spec.backend);
  const server = inBackend.find((s) => s.server === spec.server);
  if (!server)
    return `HAProxy on ${lb.host} has no server ${spec.backend}/${spec.server} (servers there: ${inBackend.map((s) => s.server).join(', ') || 'none'})`;
  return { server, othersServing: inBackend.filter((s) => s !== server && isUp(s)).length };
}

/**
 * Sets the server's admin state through the runtime API. HAProxy answers an
 * empty line when it took the command, and says why when it did not.
 */
async function setServerState(
  lb: HostDriver,
  spec: BalancerSpec,
  state: 'ready' | 'drain',
): Promise<void> {
  const line = `set server ${spec.backend}/${spec.server} state ${state}`;
  const script = [
    `fb_out=$(printf '%s\\n' ${quote(line)} | timeout 10 socat -t 5 stdio ${quote(`unix-connect:${spec.socket}`)}) || exit 1`,
    `if [ -n "$(printf '%s' "$fb_out" | tr -d '[:space:]')" ]; then printf 'HAProxy: %s\\n' "$fb_out" >&2; exit 1; fi`,
  ].join('\n');
  await lb.execute(
    [{ kind: 'command', script, label: line, reason: `${spec.server} ${state} on ${lb.host}` }],
    {},
  );
}

/** Drain decisions of one run, one at a time: two hosts of a batch never both see the other UP. */
const drainTurns = new WeakMap<object, Promise<unknown>>();

/**
 * The host's server on each load balancer of a rollout: which ones it was
 * drained on (and must be set ready on), and which ones must see it UP.
 */
export class Balancers {
  /** Balancers whose server this run drained (or found drained by a killed run). */
  readonly drained: HostDriver[] = [];
  /** Balancers that must see the server UP at the end (not held by an operator). */
  readonly watching: HostDriver[] = [];

  constructor(
    private readonly run: RunContext,
    private readonly spec: BalancerSpec,
    private readonly host: string,
    private readonly note: (message: string) => void,
  ) {}

  /** The load balancers' drivers; throws when one is unreachable. */
  private async drivers(): Promise<HostDriver[]> {
    const names = selectHosts(this.run.options.project.inventory, this.spec.hosts).hosts;
    if (names.length === 0)
      throw new RolloutError(`rollout.balancer.hosts: no host matches ${this.spec.hosts}`);
    const out: HostDriver[] = [];
    for (const name of names) {
      const lb = await this.run.connections.driver(name);
      if (!lb)
        throw new RolloutError(
          `load balancer ${name} is unreachable: ${this.host} not taken out of rotation`,
        );
      out.push(lb);
    }
    return out;
  }

  private async view(lb: HostDriver): Promise<ServerView> {
    const v = await onBalancer(lb, () => serverView(lb, this.spec));
    if (typeof v === 'string') throw new RolloutError(v);
    return v;
  }

  /**
   * Out of rotation on each balancer, unless it is the only server UP there
   * (draining it would drop every request) or an operator holds it in MAINT
   * or DRAIN. `before` runs once, right before the first drain (the mark on
   * the host). Waits for the open sessions to end, up to `timeoutS`.
   */
  async drain(timeoutS: number, before: () => Promise<void>): Promise<void> {
    const turn = (drainTurns.get(this.run) ?? Promise.resolve()).then(() => this.drainAll(before));
    drainTurns.set(
      this.run,
      turn.catch(() => undefined),
    );
    await turn;
    for (const lb of this.drained) {
      const left = await until(timeoutS, async () =>
        (await this.view(lb)).server.sessions === 0 ? true : undefined,
      );
      this.note(`drained on ${lb.host}${left ? '' : ` (sessions still open after ${timeoutS} s)`}`);
    }
  }

  private async drainAll(before: () => Promise<void>): Promise<void> {
    const b = this.spec;
    for (const lb of await this.drivers()) {
      const { server, othersServing } = await this.view(lb);
      if (/^(MAINT|DRAIN)/.test(server.status)) {
        this.note(`${b.backend}/${b.server} is ${server.status} on ${lb.host} already: left so`);
        continue;
      }
      this.watching.push(lb);
      if (othersServing === 0) {
        this.note(
          `no other server of ${b.backend} is UP on ${lb.host}: ${this.host} stays in rotation`,
        );
        continue;
      }
      await before();
      await onBalancer(lb, () => setServerState(lb, b, 'drain'));
      this.drained.push(lb);
    }
  }

  /** A drain a killed run left: the balancers where the server is in DRAIN are this run's to undo. */
  async adopt(): Promise<void> {
    for (const lb of await this.drivers()) {
      const { server } = await this.view(lb);
      this.watching.push(lb);
      if (server.status.startsWith('DRAIN')) this.drained.push(lb);
    }
  }

  /** Out of rotation again before a switch back (the host was set ready, then failed). */
  async drainAgain(): Promise<void> {
    for (const lb of this.watching) {
      if (this.drained.includes(lb)) continue;
      await onBalancer(lb, () => setServerState(lb, this.spec, 'drain'));
      this.drained.push(lb);
    }
  }

  /** Back in rotation on every balancer that drained it; throws after trying them all. */
  async ready(): Promise<void> {
    const failed: string[] = [];
    for (const lb of [...this.drained]) {
      try {
        await onBalancer(lb, () => setServerState(lb, this.spec, 'ready'));
        this.drained.splice(this.drained.indexOf(lb), 1);
      } catch (error) {
        failed.push((error as Error).message);
      }
    }
    if (failed.length) throw new RolloutError(failed.join('; '));
  }

  /** Waits for each watching balancer to see the server UP; why not, after the timeout. */
  async upProblem(timeoutS: number): Promise<string | undefined> {
    const b = this.spec;
    for (const lb of this.watching) {
      const seen = { view: '' as ServerView | string };
      const ok = await until(timeoutS, async () => {
        seen.view = await onBalancer(lb, () => serverView(lb, b));
        return typeof seen.view !== 'string' && isUp(seen.view.server) ? true : undefined;
      });
      if (ok) continue;
      const v = seen.view;
      const what = typeof v === 'string' ? v : `${v.server.status} (check ${v.server.check})`;
      return `HAProxy on ${lb.host} sees ${b.backend}/${b.server} ${what} after ${timeoutS} s`;
    }
    return undefined;
  }
}
