/** `service`: one systemctl action on a unit, or a daemon-reload. */
import { quote } from '../../core/shell';
import { SimulatedFailure } from '../../facts/memory-host';
import type { ChangeKind } from './kind';
import { commitOnly } from './shell-steps';

export const serviceKind: ChangeKind<'service'> = {
  kind: 'service',
  describe: (c) =>
    c.action === 'daemon-reload' ? 'systemctl daemon-reload' : `${c.action} ${c.unit}`,
  shell(c) {
    if (c.action === 'daemon-reload')
      return commitOnly(`systemctl daemon-reload || fail 'systemctl daemon-reload failed'`);
    // A start asked for by a run is deliberate, not a crash loop: systemd's
    // start rate limit (5 in 10 s by default) must not refuse it after a few
    // quick deploys, so the unit's failed state and start counter are reset.
    const reset =
      c.action === 'start' || c.action === 'restart'
        ? `systemctl reset-failed -- ${quote(c.unit)} 2>/dev/null; `
        : '';
    // On failure, the end of the unit's journal says why.
    return commitOnly(
      `${reset}systemctl ${c.action} -- ${quote(c.unit)} || { journalctl -u ${quote(c.unit)} -n 15 --no-pager >&2 2>/dev/null; fail ${quote(`systemctl ${c.action} ${c.unit} failed`)}; }`,
    );
  },
  simulate(c, s) {
    if (c.action === 'daemon-reload') {
      for (const u of s.units.values()) u.needDaemonReload = false;
      s.log.push('daemon-reload');
      return;
    }
    const u = s.units.get(c.unit);
    if (!u) throw new SimulatedFailure(`systemctl ${c.action} ${c.unit} failed`, 5);
    if (c.action === 'start' || c.action === 'restart') u.active = true;
    if (c.action === 'stop') u.active = false;
    if (c.action === 'enable') u.enabled = true;
    if (c.action === 'disable') u.enabled = false;
    s.log.push(`${c.action} ${c.unit}`);
  },
  entry: (c, { handler }) => ({
    kind: 'service',
    action: c.action,
    unit: c.unit,
    reason: handler
      ? 'a changed task notified this handler'
      : c.action === 'daemon-reload'
        ? 'systemd has not loaded the changed unit files'
        : `the unit's state differs (${c.action} needed)`,
  }),
};
