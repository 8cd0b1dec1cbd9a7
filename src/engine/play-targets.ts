import type { Diagnostic } from '../core/errors';
import { didYouMean } from '../core/suggest';
import { fieldName } from '../core/yaml-source';
import type { Inventory } from '../inventory/model';
import { selectHosts } from '../inventory/patterns';
import type { Play, Playbook } from '../playbook/model';

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
    out.push(...balancerTargets(inventory, playbook, play, names));
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

/** A rollout's `balancer.hosts` (when not templated) that matches no host: an error. */
function balancerTargets(
  inventory: Inventory,
  playbook: Playbook,
  play: Play,
  names: string[],
): Diagnostic[] {
  const balancer = play.rollout?.balancer as { hosts?: unknown } | undefined;
  const pattern = balancer?.hosts;
  if (typeof pattern !== 'string' || pattern.includes('{{')) return [];
  const { hosts, unmatched } = selectHosts(inventory, pattern);
  if (hosts.length > 0) return [];
  return [
    {
      severity: 'error',
      file: playbook.file,
      line: play.rolloutAt?.line ?? play.hostsAt.line,
      field: fieldName([...play.path, 'rollout', 'balancer', 'hosts']),
      message: `rollout.balancer.hosts: ${pattern} matches no host of the inventory${unmatched[0] ? didYouMean(unmatched[0], names) : ''}`,
    },
  ];
}
