import type { Inventory } from './model';
import { hostsOfGroup } from './model';

/**
 * Ansible-style host patterns: `all`, `*`, a group, a host, globs (`web-*`),
 * unions (`a:b` or `a,b`), intersections (`a:&b`) and exclusions (`a:!b`).
 * Returns matching host names in inventory order, and terms that matched nothing.
 */
export function selectHosts(
  inventory: Inventory,
  pattern: string,
): { hosts: string[]; unmatched: string[] } {
  const terms = pattern
    .split(/[,:]/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
  let selected = new Set<string>();
  const unmatched: string[] = [];
  let first = true;
  for (const term of terms) {
    const op = term.startsWith('&') ? '&' : term.startsWith('!') ? '!' : '|';
    const bare = op === '|' ? term : term.slice(1);
    const matched = matchTerm(inventory, bare);
    if (matched.size === 0) unmatched.push(bare);
    if (op === '&') selected = new Set([...selected].filter((h) => matched.has(h)));
    else if (op === '!') {
      if (first) selected = new Set(inventory.hosts.keys());
      for (const h of matched) selected.delete(h);
    } else for (const h of matched) selected.add(h);
    first = false;
  }
  return { hosts: [...inventory.hosts.keys()].filter((h) => selected.has(h)), unmatched };
}

function matchTerm(inventory: Inventory, term: string): Set<string> {
  if (term === 'all' || term === '*') return new Set(inventory.hosts.keys());
  if (inventory.groups.has(term)) return new Set(hostsOfGroup(inventory, term));
  if (inventory.hosts.has(term)) return new Set([term]);
  if (/[*?]/.test(term)) {
    const re = globToRegExp(term);
    const out = new Set<string>();
    for (const h of inventory.hosts.keys()) if (re.test(h)) out.add(h);
    for (const g of inventory.groups.keys())
      if (re.test(g)) for (const h of hostsOfGroup(inventory, g)) out.add(h);
    return out;
  }
  return new Set();
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    // Only * and ? are wildcards: every other character, [ and ] too, is literal
    // (an unbalanced "[" once made an invalid RegExp and crashed the run).
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
