/**
 * OpenSSH host patterns, shared by ssh_config `Host` lines and known_hosts
 * host fields: `*` matches any run of characters, `?` exactly one; a pattern
 * list matches when some positive pattern matches and no `!negated` one does.
 * Host names compare case-insensitively, as OpenSSH lowercases them.
 */

/** True when `text` matches the wildcard `pattern` as a whole. */
export function matchWildcard(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let pi = 0;
  let ti = 0;
  // Position after the last `*` seen and the text position it was tried at: on
  // a mismatch the star swallows one more character (linear backtracking).
  let starP = -1;
  let starT = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      starP = ++pi;
      starT = ti;
    } else if (starP >= 0) {
      pi = starP;
      ti = ++starT;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** `Host a b !c` / `a,b,!c`: some positive pattern matches and no negated one does. */
export function matchPatternList(patterns: readonly string[], text: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (matchWildcard(pattern.slice(1), text)) return false;
    } else if (matchWildcard(pattern, text)) {
      matched = true;
    }
  }
  return matched;
}
