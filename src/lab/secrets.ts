/** The lab's secret files: random passwords, mode 600, made once and kept across up and down. */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_NAMES, type SecretName } from './inventory-file';
import { ensureDir, writeFileAtomic } from './local-files';

/** 32 characters of [A-Za-z0-9_-]: safe in SQL strings, shells and YAML. */
export function randomPassword(): string {
  return randomBytes(24).toString('base64url');
}

export function ensureSecrets(dir: string): Record<SecretName, string> {
  ensureDir(dir, 0o700);
  chmodSync(dir, 0o700);
  const paths = {} as Record<SecretName, string>;
  for (const name of SECRET_NAMES) {
    const path = join(dir, name);
    if (!existsSync(path) || readFileSync(path, 'utf8').trim() === '') {
      writeFileAtomic(path, randomPassword(), 0o600);
    }
    chmodSync(path, 0o600);
    paths[name] = path;
  }
  return paths;
}
