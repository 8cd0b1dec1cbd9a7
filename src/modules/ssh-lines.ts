/** What authorized_keys and known_hosts share: the OpenSSH public key line and the files' header. */

/** "type base64 [comment]", the one line of a `.pub` file (no options). */
const PUBLIC_KEY =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-[a-z0-9@.-]+) ([A-Za-z0-9+/]+={0,2})(?: (.*))?$/;

export interface PublicKey {
  type: string;
  key: string;
  comment?: string;
}

/** The public key a `.pub` file holds, or undefined when it holds none. */
export function parsePublicKey(text: string): PublicKey | undefined {
  const line = text.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#'));
  const m = PUBLIC_KEY.exec(line?.trim() ?? '');
  return m ? { type: m[1]!, key: m[2]!, comment: m[3] } : undefined;
}

/** The first line of a file this module writes whole. */
export const HEADER =
  '# Managed by foobar-infra: written whole on every apply; local edits are overwritten.\n';

/** Splits a host list given as a YAML list or a string (commas or spaces). */
export function hostList(value: string | string[]): string[] {
  const items = Array.isArray(value) ? value : value.split(/[\s,]+/);
  return [...new Set(items.map((s) => s.trim()).filter((s) => s !== ''))];
}
