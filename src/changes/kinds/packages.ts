/** `packages`: apt installs (after an update) and purges, non-interactive, keeping local config. */
import { quote, quoteArgv } from '../../core/shell';
import { SimulatedFailure } from '../../facts/memory-host';
import type { ChangeKind } from './kind';
import { commitOnly } from './shell-steps';

const APT =
  'apt-get -q -y -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';

const joined = (parts: (string | false | 0)[], separator: string) =>
  parts.filter(Boolean).join(separator);

export const packagesKind: ChangeKind<'packages'> = {
  kind: 'packages',
  describe: (c) =>
    joined(
      [
        c.install.length > 0 && `install ${c.install.join(' ')}`,
        c.remove.length > 0 && `remove ${c.remove.join(' ')}`,
      ],
      '; ',
    ),
  shell(c) {
    const steps: string[] = [];
    if (c.install.length) {
      steps.push(`${APT} update >/dev/null || fail 'apt-get update failed'`);
      // On failure, the end of apt's own output (a maintainer script's error) is shown.
      steps.push(
        `fb_out=$(${APT} install --no-install-recommends -- ${quoteArgv(c.install)} </dev/null 2>&1) || { printf '%s\\n' "$fb_out" | tail -n 25 >&2; fail ${quote(`apt-get install ${c.install.join(' ')} failed`)}; }`,
      );
    }
    if (c.remove.length) {
      steps.push(
        `${APT} purge -- ${quoteArgv(c.remove)} </dev/null >/dev/null || fail ${quote(`apt-get purge ${c.remove.join(' ')} failed`)}`,
      );
    }
    return commitOnly(...steps);
  },
  simulate(c, s) {
    for (const p of c.install) {
      const units = s.repository.get(p);
      if (!units) throw new SimulatedFailure(`apt-get install ${c.install.join(' ')} failed`, 100);
      s.packages.add(p);
      for (const u of units) if (!s.units.has(u)) s.units.set(u, { active: true, enabled: true });
    }
    for (const p of c.remove) s.packages.delete(p);
    s.log.push(`packages +${c.install.join(',')} -${c.remove.join(',')}`);
  },
  entry: (c) => ({
    kind: 'packages',
    action: joined([c.install.length > 0 && 'install', c.remove.length > 0 && 'remove'], '+'),
    packages: { install: c.install, remove: c.remove },
    reason: joined(
      [
        c.install.length > 0 && `not installed: ${c.install.join(', ')}`,
        c.remove.length > 0 && `installed: ${c.remove.join(', ')}`,
      ],
      '; ',
    ),
  }),
};
