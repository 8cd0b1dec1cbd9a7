import * as fs from 'node:fs';
import * as path from 'node:path';
import { closest } from '../core/suggest';
import { describeSecretRef, type PlainSecretRef, type VaultRef } from './secret-ref';

export type SecretLookup = { ok: true; value: string } | { ok: false; reason: string };

/** Reads a secret reference: an environment variable, or a file (trailing newline dropped). */
export function lookupSecret(
  ref: PlainSecretRef,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): SecretLookup {
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined || value === '')
      return { ok: false, reason: `environment variable ${ref.env} is not set` };
    return { ok: true, value };
  }
  const file = path.resolve(baseDir, ref.file);
  try {
    const value = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    if (value === '') return { ok: false, reason: `secret file ${file} is empty` };
    return { ok: true, value };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason: `cannot read secret file ${file} (${code === 'ENOENT' ? 'not found' : code})`,
    };
  }
}

/** The vault file a host's `{ vault: NAME }` references read: vault_file, from the inventory's folder. */
export function vaultFileOf(vars: Record<string, unknown>, baseDir: string): string | undefined {
  const file = vars.vault_file;
  return typeof file === 'string' && file !== '' ? path.resolve(baseDir, file) : undefined;
}

/** A name in a decrypted vault. */
export function lookupVaultSecret(
  ref: VaultRef,
  vaultFile: string,
  secrets: ReadonlyMap<string, string>,
): SecretLookup {
  const value = secrets.get(ref.vault);
  if (value !== undefined) return { ok: true, value };
  const near = closest(ref.vault, secrets.keys());
  return {
    ok: false,
    reason: `vault ${vaultFile} has no secret named ${ref.vault}${near ? ` (did you mean "${near}"?)` : ''}`,
  };
}

export { describeSecretRef };
