import { createHmac, scryptSync } from 'node:crypto';

/**
 * Passwords cannot be read back from a database server, so a rotation is
 * detected by comparing with a fingerprint recorded on the host when the
 * password was set. The fingerprint is a slow, salted hash (scrypt), never
 * the password; with the site's `secret_fingerprint_key` it is also keyed
 * (an HMAC of it, `hmac-sha256:…`): a fingerprint read off a host cannot be
 * checked against guesses without that key, which stays on the controller.
 */
export const FINGERPRINT_FILE = '/var/lib/foobar-infra/secret-fingerprints';

/** scrypt cost: about 10 ms per fingerprint. */
const COST = { N: 4096, r: 8, p: 1 };

const KEYED = 'hmac-sha256:';

export function fingerprint(key: string, password: string, siteKey?: string): string {
  const slow = scryptSync(password, `foobar-infra:${key}`, 32, COST).toString('hex');
  if (!siteKey) return slow;
  return `${KEYED}${createHmac('sha256', siteKey).update(`${key}\0${slow}`).digest('hex')}`;
}

/** `key<TAB>fingerprint` lines → map. Unknown lines are kept as they are. */
export function parseFingerprints(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) out.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return out;
}

export function formatFingerprints(map: ReadonlyMap<string, string>): string {
  return [...map]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}\t${v}\n`)
    .join('');
}

/**
 * True when the recorded fingerprint for `key` is that of `password`: a keyed
 * record checked with the site key, an unkeyed one (recorded before the site
 * had a key) without it.
 */
export function sameSecret(
  map: ReadonlyMap<string, string>,
  key: string,
  password: string,
  siteKey?: string,
): boolean {
  const recorded = map.get(key);
  if (recorded === undefined) return false;
  if (!recorded.startsWith(KEYED)) return recorded === fingerprint(key, password);
  return siteKey !== undefined && recorded === fingerprint(key, password, siteKey);
}

/** The record matches, but is not in the form the site key asks for (keyed or not). */
export function needsRekey(
  map: ReadonlyMap<string, string>,
  key: string,
  siteKey?: string,
): boolean {
  const recorded = map.get(key);
  return recorded !== undefined && recorded.startsWith(KEYED) !== Boolean(siteKey);
}

/** The site's fingerprint key (the variable secret_fingerprint_key), if it has one. */
export function siteKeyOf(vars: Record<string, unknown>): string | undefined {
  const key = vars.secret_fingerprint_key;
  return typeof key === 'string' && key !== '' ? key : undefined;
}
