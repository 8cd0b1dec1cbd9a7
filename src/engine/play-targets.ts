import type { Diagnostic } from '../core/errors';
import { didYouMean } from '../core/suggest';
import { fieldName } from '../core/yaml-source';
import type { Inventory } from '../inventory/model';
import { selectHosts } from '../inventory/patterns';
import type { Playbook } from '../playbook/model';

/**
 * A play whose `hosts:` pattern matches no host of the inventory. A name that
 * is neither a group nor a host (`lbs` for `lb`) is an error with a "did you
 * mean"; a pattern of known names that selects nobody (an empty group) is a
 * warning. Pure.
 */
export function playTargetDiagnostics(inventory: Inventory, playbook: Playbook): Diagnostic[] {
  const names = [...inventory.groups.keys(), ...inventory.hosts.keys()];
  const out: Diagnostic[] = [];
  for (const play of playbook.plays) {
    const { hosts, unmatched } = selectHosts(inventory, play.hosts);
    if (hosts.length > 0) continue;
    const unknown = unmatched.filter((t) => !inventory.groups.has(t) && !inventory.hosts.has(t));
    const detail =
      unknown.length > 0
        ? `: no group or host ${unknown.map((t) => `"${t}"`).join(', ')}${didYouMean(unknown[0]!, names)}`
        : '';
    out.push({
      severity: unknown.length > 0 ? 'error' : 'warning',
      file: playbook.file,
      line: play.hostsAt.line,
      col: play.hostsAt.col,
      field: fieldName([...play.path, 'hosts']),
      message: `hosts: ${play.hosts} matches no host of the inventory${detail}`,
    });
  }
  return out;
}
