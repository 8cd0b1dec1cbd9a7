import { scryptSync } from 'node:crypto';

/**
 * Passwords cannot be read back from a database server, so a rotation is
 * detected by comparing with a fingerprint recorded on the host when the
 * password was set. The fingerprint is a slow, salted hash (scrypt): never
 * the password, and costly to guess from.
 */
export const FINGERPRINT_FILE = '/var/lib/foobar-infra/secret-fingerprints';

/** scrypt cost: about 10 ms per fingerprint. */
const COST = { N: 4096, r: 8, p: 1 };

export function fingerprint(key: string, password: string): string {
  return scryptSync(password, `foobar-infra:${key}`, 32, COST).toString('hex');
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

/** True when the recorded fingerprint for `key` is that of `password`. */
export function sameSecret(
  map: ReadonlyMap<string, string>,
  key: string,
  password: string,
): boolean {
  const recorded = map.get(key);
  return recorded !== undefined && recorded === fingerprint(key, password);
}
