import { z } from 'zod';

/**
 * A secret is never written in the inventory: the inventory holds a reference
 * to where the value lives, resolved only when a run needs it.
 *   { env: NAME }    an environment variable
 *   { file: PATH }   a file outside git (relative paths are relative to the inventory)
 */
export const SecretRefSchema = z.union([
  z.strictObject({
    env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not an environment variable name'),
  }),
  z.strictObject({ file: z.string().min(1) }),
]);

export type SecretRef = z.infer<typeof SecretRefSchema>;

export function isSecretRef(value: unknown): value is SecretRef {
  return SecretRefSchema.safeParse(value).success;
}

export function describeSecretRef(ref: SecretRef): string {
  return 'env' in ref ? `env:${ref.env}` : `file:${ref.file}`;
}

/** Names that hold secrets by convention; a plain string under such a name is refused. */
export function looksSecret(name: string): boolean {
  return /(password|passwd|secret|token|private_key_data|api_key)/i.test(name);
}
