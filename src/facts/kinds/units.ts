/**
 * The `units` fact: the state of each named systemd unit, from
 * `systemctl show`. Every unit fact of a gather shares one section, asking
 * for all their names at once (script.ts gatherLayout, parse.ts parseFacts).
 */
import { quoteArgv } from '../../core/shell';
import type { UnitFact } from '../model';
import type { FactKind } from './kind';

/** Normalises a unit name: "nginx" → "nginx.service". */
export function unitName(name: string): string {
  return /\.(service|socket|timer|target|path|mount|slice|scope)$/.test(name)
    ? name
    : `${name}.service`;
}

export const unitsKind: FactKind<'units'> = {
  kind: 'units',
  summary: "the units' active and enabled state (systemctl)",
  key: (request) => `units:${[...request.names].sort().join(',')}`,
  command: (request) =>
    `systemctl show --property=Id,LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload -- ${quoteArgv(request.names.map(unitName))} 2>/dev/null; true`,
  parse: (request, text) => ({ kind: 'units', value: parseUnits(request.names, text) }),
  simulate: (request, host) => ({
    kind: 'units',
    value: new Map(
      request.names.map((n) => {
        const u = host.units.get(unitName(n));
        return [
          n,
          {
            name: n,
            loadState: u ? 'loaded' : 'not-found',
            activeState: u?.active ? 'active' : 'inactive',
            subState: u?.active ? 'running' : 'dead',
            unitFileState: u ? (u.enabled ? 'enabled' : 'disabled') : '',
            needDaemonReload: u?.needDaemonReload ?? false,
          },
        ];
      }),
    ),
  }),
};

/** `systemctl show` prints one block per unit, in the order asked (aliases show their real Id). */
export function parseUnits(names: readonly string[], text: string): Map<string, UnitFact> {
  const out = new Map<string, UnitFact>();
  const blocks = text
    .split(/\n\s*\n/)
    .map((block) => {
      const props: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) props[line.slice(0, eq)] = line.slice(eq + 1);
      }
      return props;
    })
    .filter((props) => props.Id !== undefined);
  names.forEach((name, i) => {
    const props =
      blocks.length === names.length ? blocks[i] : blocks.find((b) => b.Id === unitName(name));
    out.set(name, {
      name,
      loadState: props?.LoadState ?? 'not-found',
      activeState: props?.ActiveState ?? 'inactive',
      subState: props?.SubState ?? 'dead',
      unitFileState: props?.UnitFileState ?? '',
      needDaemonReload: props?.NeedDaemonReload === 'yes',
    });
  });
  return out;
}
