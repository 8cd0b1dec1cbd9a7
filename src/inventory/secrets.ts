import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeSecretRef, type SecretRef } from './secret-ref';

export type SecretLookup = { ok: true; value: string } | { ok: false; reason: string };

/** Reads a secret reference: an environment variable, or a file (trailing newline dropped). */
export function lookupSecret(
  ref: SecretRef,
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

export { describeSecretRef };
