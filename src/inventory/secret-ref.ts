import { z } from 'zod';

/** A secret's name in a vault. */
export const VAULT_SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * A secret is never written in the inventory: the inventory holds a reference
 * to where the value lives, resolved only when a run needs it.
 *   { env: NAME }    an environment variable
 *   { file: PATH }   a file outside git (relative paths are relative to the inventory)
 *   { vault: NAME }  a secret of the host's vault_file (`foobar-infra vault`)
 */
export const SecretRefSchema = z.union([
  z.strictObject({
    env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not an environment variable name'),
  }),
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({
    vault: z
      .string()
      .regex(
        VAULT_SECRET_NAME,
        'not a vault secret name (letters, digits, "_", "-" and ".", starting with a letter or "_")',
      ),
  }),
]);

export type SecretRef = z.infer<typeof SecretRefSchema>;
export type VaultRef = Extract<SecretRef, { vault: string }>;
/** The references read without a password. */
export type PlainSecretRef = Exclude<SecretRef, VaultRef>;

export function isSecretRef(value: unknown): value is SecretRef {
  // Only a one-key mapping can be a reference: the schema (and its costly
  // failure report) is asked about nothing else.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.keys(value).length === 1 && SecretRefSchema.safeParse(value).success;
}

export function isVaultRef(value: unknown): value is VaultRef {
  return isSecretRef(value) && 'vault' in value;
}

export function describeSecretRef(ref: SecretRef): string {
  if ('env' in ref) return `env:${ref.env}`;
  if ('file' in ref) return `file:${ref.file}`;
  return `vault:${ref.vault}`;
}

/** Names that hold secrets by convention; a plain string under such a name is refused. */
export function looksSecret(name: string): boolean {
  return /(password|passwd|secret|token|private_key_data|api_key)/i.test(name);
}
