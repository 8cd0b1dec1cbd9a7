import * as crypto from 'node:crypto';
import { VaultError } from '../core/errors';

/**
 * The vault file format, version 1. Text, so that git stores and diffs it:
 *
 *   $FOOBAR_VAULT;1;AES-256-GCM;scrypt     format, version, cipher, key derivation
 *   scrypt-N: 65536                         scrypt cost parameters
 *   scrypt-r: 8
 *   scrypt-p: 1
 *   salt: <16 bytes, base64>                fresh on every write
 *   nonce: <12 bytes, base64>               fresh on every write
 *   check: <32 bytes, base64>               HMAC-SHA256 of lines 1-6 under the check key
 *   header-sha256: <32 bytes, base64>       SHA-256 of lines 1-7
 *   <ciphertext and 16-byte GCM tag, base64, 64 characters a line>
 *
 * scrypt(password, salt) gives 64 bytes: the AES-256-GCM key, then the check
 * key. The eight header lines are GCM's additional data, so no parameter can
 * change unnoticed. Opening checks, in order:
 *   1. the header's SHA-256: a header that does not match was altered (tampered);
 *   2. the check value: a mismatch means the password is wrong;
 *   3. the GCM tag: a mismatch, with the right password, means the content was
 *      altered (tampered).
 * The SHA-256 only tells an altered header from a wrong password; the
 * protection is GCM's: anyone may recompute the SHA-256, and then an altered
 * header reads as a wrong password, never as content.
 */

export const VAULT_MAGIC = '$FOOBAR_VAULT';
export const FORMAT_VERSION = 1;
const CIPHER = 'AES-256-GCM';
const KDF = 'scrypt';
const VERSION_LINE = `${VAULT_MAGIC};${FORMAT_VERSION};${CIPHER};${KDF}`;

/** scrypt's cost: N (CPU and memory, a power of two), r (block size), p (parallelism). */
export interface KdfParams {
  N: number;
  r: number;
  p: number;
}

/** 2^16 × 8 × 128 bytes = 64 MiB of memory and about 0.15 s on a current CPU. */
export const DEFAULT_KDF: KdfParams = { N: 2 ** 16, r: 8, p: 1 };

const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const CHECK_BYTES = 32;
/** Characters of base64 per line of ciphertext. */
export const WRAP = 64;
const HEADER_KEYS = ['scrypt-N', 'scrypt-r', 'scrypt-p', 'salt', 'nonce', 'check'] as const;
const HEADER_LINES = HEADER_KEYS.length + 2;
/** Limits on parameters read from a file, so that a crafted header cannot exhaust memory. */
const MAX_KDF_MEMORY = 1024 * 1024 * 1024;

/** True when the text starts like a vault file (of any version). */
export function looksLikeVault(text: string): boolean {
  return text.startsWith(`${VAULT_MAGIC};`);
}

/** Encrypts text with a password: fresh salt and nonce each time. */
export function encrypt(plaintext: string, password: string, kdf: KdfParams = DEFAULT_KDF): string {
  checkKdf(kdf, 'vault', undefined);
  if (password === '') throw new VaultError('no-password', 'vault', 'an empty password is refused');
  const salt = crypto.randomBytes(SALT_BYTES);
  const nonce = crypto.randomBytes(NONCE_BYTES);
  const { key, checkKey } = deriveKeys(password, salt, kdf);
  const params = [
    VERSION_LINE,
    `scrypt-N: ${kdf.N}`,
    `scrypt-r: ${kdf.r}`,
    `scrypt-p: ${kdf.p}`,
    `salt: ${salt.toString('base64')}`,
    `nonce: ${nonce.toString('base64')}`,
  ];
  const check = hmac(checkKey, params);
  const signed = [...params, `check: ${check.toString('base64')}`];
  const header = [...signed, `header-sha256: ${sha256(signed).toString('base64')}`];
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(joinLines(header), 'utf8'));
  const body = Buffer.concat([
    cipher.update(Buffer.from(plaintext, 'utf8')),
    cipher.final(),
    cipher.getAuthTag(),
  ]).toString('base64');
  const wrapped: string[] = [];
  for (let i = 0; i < body.length; i += WRAP) wrapped.push(body.slice(i, i + WRAP));
  return joinLines([...header, ...wrapped]);
}

/**
 * Decrypts a vault's text. Throws a VaultError that names `file` (and the
 * line at fault): `format` for a file that is not a vault this version reads,
 * `wrong-password`, or `tampered` for a file altered or corrupt.
 */
export function decrypt(text: string, password: string, file = 'vault'): string {
  const { header, kdf, salt, nonce, check, body } = parseVault(text, file);
  if (password === '') throw new VaultError('no-password', file, 'an empty password is refused');
  const { key, checkKey } = deriveKeys(password, salt, kdf);
  if (!crypto.timingSafeEqual(hmac(checkKey, header.slice(0, HEADER_KEYS.length)), check))
    throw new VaultError('wrong-password', file, 'wrong vault password');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce, {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(joinLines(header), 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    const plain = Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  } catch {
    throw tampered(
      file,
      `the content does not authenticate (lines ${HEADER_LINES + 1}-): the vault was altered or is corrupt; the password is right`,
      HEADER_LINES + 1,
    );
  }
}

interface ParsedVault {
  /** The header lines, as written (the GCM additional data). */
  header: string[];
  kdf: KdfParams;
  salt: Buffer;
  nonce: Buffer;
  check: Buffer;
  /** Ciphertext then tag. */
  body: Buffer;
}

/**
 * Reads a vault's structure without any key: every check that needs no
 * password. Format errors name the line.
 */
export function parseVault(text: string, file: string): ParsedVault {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  checkVersionLine(lines[0] ?? '', file);
  if (lines.length < HEADER_LINES)
    throw new VaultError(
      'format',
      file,
      `truncated vault: the header ends at line ${lines.length}, it has ${HEADER_LINES} lines`,
      lines.length + 1,
    );
  const header = lines.slice(0, HEADER_LINES);
  checkHeaderSum(header, file);
  return { header, ...headerValues(header, file), body: readBody(lines.slice(HEADER_LINES), file) };
}

/** The first line: the magic, this version, its cipher and key derivation. */
function checkVersionLine(first: string, file: string): void {
  if (!looksLikeVault(first))
    throw new VaultError(
      'format',
      file,
      `not a foobar-infra vault: the first line must start with "${VAULT_MAGIC};"`,
      1,
    );
  const [, version, cipher, kdfName, ...extra] = first.split(';');
  if (version !== String(FORMAT_VERSION))
    throw new VaultError(
      'format',
      file,
      `unknown vault format version "${version ?? ''}": this foobar-infra reads version ${FORMAT_VERSION} (was the vault written by a newer one?)`,
      1,
    );
  if (cipher !== CIPHER || kdfName !== KDF || extra.length > 0)
    throw new VaultError(
      'format',
      file,
      `unsupported vault header "${first}": version ${FORMAT_VERSION} is "${VERSION_LINE}"`,
      1,
    );
}

/** The header's last line holds the SHA-256 of the lines before it. */
function checkHeaderSum(header: string[], file: string): void {
  const signed = header.slice(0, HEADER_LINES - 1);
  const sum = /^header-sha256: (.*)$/.exec(header[HEADER_LINES - 1]!);
  const expected = sha256(signed);
  const given = sum ? base64(sum[1]!, 32) : undefined;
  if (!given || !crypto.timingSafeEqual(given, expected))
    throw tampered(
      file,
      sum
        ? `the header (lines 1-${HEADER_LINES}) does not match its header-sha256: the vault was altered or is corrupt`
        : 'the header-sha256 line is damaged: the vault was altered or is corrupt',
      sum ? undefined : HEADER_LINES,
    );
}

/** The key derivation's parameters, the salt, the nonce and the check value, each on its line. */
function headerValues(header: string[], file: string): Omit<ParsedVault, 'header' | 'body'> {
  // The header is as written: a malformed value here was written so.
  const values = HEADER_KEYS.map((key, i) => {
    const line = header[i + 1]!;
    if (!line.startsWith(`${key}: `))
      throw new VaultError('format', file, `expected "${key}: ..." here`, i + 2);
    return line.slice(key.length + 2);
  });
  const [n, r, p, saltText, nonceText, checkText] = values as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const int = (value: string, line: number) => {
    if (!/^[1-9][0-9]{0,9}$/.test(value))
      throw new VaultError('format', file, `"${value}" is not a whole number`, line);
    return Number(value);
  };
  const kdf = { N: int(n, 2), r: int(r, 3), p: int(p, 4) };
  checkKdf(kdf, file, 2);
  const field = (value: string, bytes: number, line: number, name: string) => {
    const decoded = base64(value, bytes);
    if (!decoded)
      throw new VaultError('format', file, `${name} must be ${bytes} bytes in base64`, line);
    return decoded;
  };
  return {
    kdf,
    salt: field(saltText, SALT_BYTES, 5, 'salt'),
    nonce: field(nonceText, NONCE_BYTES, 6, 'nonce'),
    check: field(checkText, CHECK_BYTES, 7, 'check'),
  };
}

/** The ciphertext and its tag: base64, WRAP characters a line. */
function readBody(bodyLines: string[], file: string): Buffer {
  if (bodyLines.length === 0)
    throw tampered(file, 'truncated vault: no ciphertext after the header', HEADER_LINES + 1);
  bodyLines.forEach((line, i) => {
    const last = i === bodyLines.length - 1;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(line) || (last ? line.length === 0 : line.length !== WRAP))
      throw tampered(
        file,
        `the ciphertext is damaged (base64, ${WRAP} characters a line): the vault was altered or is corrupt`,
        HEADER_LINES + 1 + i,
      );
  });
  const bodyText = bodyLines.join('');
  const body = Buffer.from(bodyText, 'base64');
  if (body.toString('base64') !== bodyText || body.length < TAG_BYTES)
    throw tampered(
      file,
      'the ciphertext is damaged or truncated: the vault was altered or is corrupt',
      HEADER_LINES + 1,
    );
  return body;
}

function checkKdf(kdf: KdfParams, file: string, line: number | undefined): void {
  const powerOfTwo = kdf.N >= 2 && (kdf.N & (kdf.N - 1)) === 0;
  const ok =
    Number.isInteger(kdf.N) &&
    powerOfTwo &&
    kdf.N >= 2 ** 10 &&
    Number.isInteger(kdf.r) &&
    kdf.r >= 1 &&
    kdf.r <= 64 &&
    Number.isInteger(kdf.p) &&
    kdf.p >= 1 &&
    kdf.p <= 16 &&
    128 * kdf.N * kdf.r <= MAX_KDF_MEMORY;
  if (!ok)
    throw new VaultError(
      'format',
      file,
      `unsupported scrypt parameters N=${kdf.N} r=${kdf.r} p=${kdf.p} (N a power of two from 1024, r 1-64, p 1-16, at most 1 GiB)`,
      line,
    );
}

/** The AES key and the check key: 64 bytes of scrypt, split. */
export function deriveKeys(
  password: string,
  salt: Buffer,
  kdf: KdfParams,
): { key: Buffer; checkKey: Buffer } {
  const out = crypto.scryptSync(Buffer.from(password.normalize('NFC'), 'utf8'), salt, 64, {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    // scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is below N=2^16, r=8.
    maxmem: 128 * kdf.N * kdf.r + 16 * 1024 * 1024,
  });
  return { key: out.subarray(0, KEY_BYTES), checkKey: out.subarray(KEY_BYTES) };
}

function hmac(key: Buffer, lines: readonly string[]): Buffer {
  return crypto.createHmac('sha256', key).update(joinLines(lines), 'utf8').digest();
}

function sha256(lines: readonly string[]): Buffer {
  return crypto.createHash('sha256').update(joinLines(lines), 'utf8').digest();
}

function joinLines(lines: readonly string[]): string {
  return `${lines.join('\n')}\n`;
}

/** Strict base64 of exactly `bytes` bytes, or undefined. */
function base64(text: string, bytes: number): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const decoded = Buffer.from(text, 'base64');
  return decoded.length === bytes && decoded.toString('base64') === text ? decoded : undefined;
}

function tampered(file: string, detail: string, line?: number): VaultError {
  return new VaultError('tampered', file, detail, line);
}
