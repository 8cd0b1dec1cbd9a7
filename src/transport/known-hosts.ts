import { createHmac, timingSafeEqual } from 'node:crypto';
import { matchPatternList } from './host-pattern';
import { keyTypeOf } from './ssh-key';

/**
 * A pure reader of OpenSSH known_hosts files and the strict host-key check.
 * Entries name hosts as plain pattern lists (`web-01,10.0.0.5`,
 * `[10.0.0.5]:2222`, `*.lab`, `!bad.lab`) or hashed (`|1|salt|hash`, an
 * HMAC-SHA1 of the name keyed by the salt). `@revoked` entries refuse a key;
 * `@cert-authority` entries are read but never match (no certificates here).
 */

export type HostField =
  { kind: 'patterns'; patterns: string[] } | { kind: 'hashed'; salt: Buffer; hash: Buffer };

export interface KnownHostsEntry {
  /** 1-based line number in the file. */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  hosts: HostField;
  /** The type written in the line, e.g. `ssh-ed25519`. */
  keyType: string;
  /** The public key blob (wire format), base64-decoded. */
  key: Buffer;
}

export interface KnownHostsProblem {
  line: number;
  message: string;
}

export interface KnownHosts {
  entries: KnownHostsEntry[];
  /** Lines that could not be read; they never match anything. */
  problems: KnownHostsProblem[];
}

export function parseKnownHosts(text: string): KnownHosts {
  const result: KnownHosts = { entries: [], problems: [] };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/[ \t]+/);
    let marker: KnownHostsEntry['marker'];
    if (fields[0].startsWith('@')) {
      const name = fields.shift()!.slice(1);
      if (name !== 'revoked' && name !== 'cert-authority') {
        result.problems.push({ line, message: `unknown marker @${name}` });
        return;
      }
      marker = name;
    }
    if (fields.length < 3) {
      result.problems.push({ line, message: 'expected: hosts key-type base64-key' });
      return;
    }
    const [hostText, keyType, keyText] = fields;
    const hosts = parseHostField(hostText);
    if (!hosts) {
      result.problems.push({ line, message: `unreadable hashed host ${hostText}` });
      return;
    }
    const key = Buffer.from(keyText, 'base64');
    if (key.length === 0 || keyTypeOf(key) !== keyType) {
      result.problems.push({ line, message: `the key is not a ${keyType} key` });
      return;
    }
    result.entries.push({ line, marker, hosts, keyType, key });
  });
  return result;
}

function parseHostField(text: string): HostField | undefined {
  if (!text.startsWith('|')) return { kind: 'patterns', patterns: text.split(',') };
  const parts = text.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return undefined;
  const salt = Buffer.from(parts[2], 'base64');
  const hash = Buffer.from(parts[3], 'base64');
  if (salt.length !== 20 || hash.length !== 20) return undefined;
  return { kind: 'hashed', salt, hash };
}

/** The name known_hosts records a host under: `address`, or `[address]:port` off port 22. */
export function knownHostName(address: string, port: number): string {
  const name = address.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

export function hashHostName(name: string, salt: Buffer): Buffer {
  return createHmac('sha1', salt).update(name).digest();
}

export function entryMatchesHost(entry: KnownHostsEntry, name: string): boolean {
  if (entry.marker === 'cert-authority') return false;
  if (entry.hosts.kind === 'patterns') return matchPatternList(entry.hosts.patterns, name);
  return timingSafeEqual(hashHostName(name, entry.hosts.salt), entry.hosts.hash);
}

export type HostKeyVerdict =
  | { status: 'trusted'; line: number }
  | { status: 'unknown' }
  /** known_hosts holds another key for this host: the first such entry. */
  | { status: 'changed'; line: number; knownType: string }
  | { status: 'revoked'; line: number };

/** Checks the key a server offered against the entries for `address:port`. */
export function checkHostKey(
  knownHosts: KnownHosts,
  address: string,
  port: number,
  key: Buffer,
): HostKeyVerdict {
  const name = knownHostName(address, port);
  const forHost = knownHosts.entries.filter((e) => entryMatchesHost(e, name));
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = forHost.filter((e) => e.marker === undefined);
  const same = plain.find((e) => e.key.equals(key));
  if (same) return { status: 'trusted', line: same.line };
  // Prefer an entry of the offered type for the line number; any other key for
  // the host also counts as a change (the offer was narrowed to known types).
  const offeredType = keyTypeOf(key);
  const other = plain.find((e) => e.keyType === offeredType) ?? plain[0];
  if (other) return { status: 'changed', line: other.line, knownType: other.keyType };
  return { status: 'unknown' };
}

/** The key types known_hosts trusts for `address:port`, in file order, without duplicates. */
export function knownKeyTypes(knownHosts: KnownHosts, address: string, port: number): string[] {
  const name = knownHostName(address, port);
  const types: string[] = [];
  for (const e of knownHosts.entries) {
    if (e.marker === undefined && entryMatchesHost(e, name) && !types.includes(e.keyType)) {
      types.push(e.keyType);
    }
  }
  return types;
}

/** The line `--accept-new` appends (plain, not hashed), without the newline. */
export function formatKnownHostsLine(address: string, port: number, key: Buffer): string {
  return `${knownHostName(address, port)} ${keyTypeOf(key)} ${key.toString('base64')}`;
}
