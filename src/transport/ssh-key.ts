/** Facts about SSH public keys in wire format (RFC 4253 §6.6), for host-key checks. */

/** The type name a public key blob starts with (`ssh-ed25519`, ...), or '' when unreadable. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return '';
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return '';
  const name = blob.toString('latin1', 4, 4 + length);
  return /^[\x21-\x7e]+$/.test(name) ? name : '';
}

/** The host-key algorithms that yield a key of each type; RSA keys sign with SHA-2 first. */
const ALGORITHMS_FOR_TYPE: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * The host-key algorithms to offer when known_hosts already trusts keys of
 * `types` for a host: only those, so the server proves the key we know
 * instead of offering another type we would have to call new. Empty when
 * none is usable (then the offer is left as it is).
 */
export function hostKeyAlgorithmsFor(types: readonly string[]): string[] {
  return types.flatMap((t) => ALGORITHMS_FOR_TYPE[t] ?? []);
}

/**
 * Why a private key file cannot be used without help, or undefined when it
 * looks usable. Passphrase-protected keys belong in ssh-agent: this tool
 * never asks for a passphrase.
 */
export function privateKeyProblem(text: string): string | undefined {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    return 'is passphrase-protected (load it into ssh-agent)';
  }
  const openssh =
    /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text);
  if (openssh) {
    const body = Buffer.from(openssh[1].replace(/\s+/g, ''), 'base64');
    const magic = 'openssh-key-v1\0';
    if (body.toString('latin1', 0, magic.length) !== magic) return 'is not a readable OpenSSH key';
    const cipher = keyTypeOf(body.subarray(magic.length));
    return cipher === 'none' ? undefined : 'is passphrase-protected (load it into ssh-agent)';
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return 'is not a private key';
  return undefined;
}
