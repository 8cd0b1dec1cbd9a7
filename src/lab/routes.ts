/**
 * The machine's IPv4 routes (`ip -4 route show table all`) and whether a lab
 * subnet would clash with one of them. Pure: the output is passed in.
 */
import { parseCidr, networkOf, rangesOverlap, type Subnet } from './subnet';

export interface RouteEntry {
  /** unicast, local, broadcast, blackhole, ... */
  type: string;
  /** As printed: `192.0.2.0/24`, `192.0.2.2`. */
  destination: string;
  network: number;
  prefix: number;
  dev?: string;
  table?: string;
  /** The whole line, to name the clash. */
  line: string;
}

const ROUTE_TYPES = new Set([
  'unicast',
  'local',
  'broadcast',
  'multicast',
  'throw',
  'unreachable',
  'prohibit',
  'blackhole',
  'nat',
  'anycast',
]);

export function parseIpRoutes(output: string): RouteEntry[] {
  const routes: RouteEntry[] = [];
  for (const raw of output.split('\n')) {
    // Continuation lines (`nexthop via ...` of multipath routes) start with blanks.
    if (raw.trim() === '' || /^\s/.test(raw)) continue;
    const line = raw.trim();
    const tokens = line.split(/\s+/);
    let i = 0;
    let type = 'unicast';
    if (ROUTE_TYPES.has(tokens[0])) {
      type = tokens[0];
      i = 1;
    }
    const destination = tokens[i];
    if (destination === undefined || destination === 'default') continue;
    const parsed = parseCidr(destination);
    if (!parsed || parsed.prefix === 0) continue;
    const valueAfter = (key: string): string | undefined => {
      const at = tokens.indexOf(key, i + 1);
      return at > 0 ? tokens[at + 1] : undefined;
    };
    routes.push({
      type,
      destination,
      network: networkOf(parsed.address, parsed.prefix),
      prefix: parsed.prefix,
      dev: valueAfter('dev'),
      table: valueAfter('table'),
      line,
    });
  }
  return routes;
}

/**
 * The routes whose addresses overlap the subnet, except those on the lab's own
 * bridge (a running lab's routes must not block its own `lab up`). Default
 * routes never clash: the lab's own, more specific route wins over them.
 */
export function findRouteClashes(
  routes: readonly RouteEntry[],
  subnet: Subnet,
  ownBridge?: string,
): RouteEntry[] {
  return routes.filter(
    (r) => (ownBridge === undefined || r.dev !== ownBridge) && rangesOverlap(r, subnet),
  );
}
