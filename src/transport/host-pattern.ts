/**
 * OpenSSH host patterns, shared by ssh_config `Host` lines and known_hosts
 * host fields: `*` matches any run of characters, `?` exactly one; a pattern
 * list matches when some positive pattern matches and no `!negated` one does.
 * By default names compare case-insensitively, as for known_hosts (OpenSSH
 * lowercases both sides there); ssh_config `Host` lines and Include globs
 * compare exactly (`ignoreCase` false), as OpenSSH's match_pattern and glob(3).
 */

/** True when `text` matches the wildcard `pattern` as a whole. */
export function matchWildcard(pattern: string, text: string, ignoreCase = true): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
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
export function matchPatternList(
  patterns: readonly string[],
  text: string,
  ignoreCase = true,
): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (matchWildcard(pattern.slice(1), text, ignoreCase)) return false;
    } else if (matchWildcard(pattern, text, ignoreCase)) {
      matched = true;
    }
  }
  return matched;
}
