import { createHmac, scrypt, scryptSync } from 'node:crypto';

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

/** The slow part of fingerprints already computed in this process (or under way), by key and password. */
const slowHashes = new Map<string, { hex?: string }>();

const slowId = (key: string, password: string) => `${key}\0${password}`;

function slowHash(key: string, password: string): string {
  const id = slowId(key, password);
  const known = slowHashes.get(id);
  if (known?.hex !== undefined) return known.hex;
  const hex = scryptSync(password, `foobar-infra:${key}`, 32, COST).toString('hex');
  slowHashes.set(id, { hex });
  return hex;
}

/**
 * Starts a fingerprint's slow hash on libuv's thread pool, so that the plan
 * that needs it (after the host's facts are gathered) finds it done instead
 * of computing it on the main thread. A hash not done by then is computed
 * there as before: this only moves work, it never changes a result.
 */
export function warmFingerprint(key: string, password: string): void {
  const id = slowId(key, password);
  if (slowHashes.has(id)) return;
  const entry: { hex?: string } = {};
  slowHashes.set(id, entry);
  scrypt(password, `foobar-infra:${key}`, 32, COST, (error, hash) => {
    if (!error) entry.hex ??= hash.toString('hex');
  });
}

export function fingerprint(key: string, password: string, siteKey?: string): string {
  const slow = slowHash(key, password);
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
