import * as fs from 'node:fs';
import { VaultError } from '../core/errors';
import { VaultStore, type PasswordSource } from '../vault/vault-store';
import type { Io } from './io';

/** The environment variable that names a file holding the vault password. */
export const PASSWORD_FILE_ENV = 'FOOBAR_VAULT_PASSWORD_FILE';

export interface VaultPasswordOptions {
  vaultPasswordFile?: string;
}

const HOW =
  `pass --vault-password-file FILE, set ${PASSWORD_FILE_ENV} to a file that holds it, ` +
  'or run on a terminal to be asked';

/** The password file given: --vault-password-file, else $FOOBAR_VAULT_PASSWORD_FILE. */
export function givenPasswordFile(
  opts: VaultPasswordOptions,
  env: NodeJS.ProcessEnv = process.env,
): { file: string; from: string } | undefined {
  if (opts.vaultPasswordFile !== undefined)
    return { file: opts.vaultPasswordFile, from: '--vault-password-file' };
  const file = env[PASSWORD_FILE_ENV];
  return file ? { file, from: PASSWORD_FILE_ENV } : undefined;
}

/** A password file's content, its trailing newline dropped; empty is refused. */
export function readPasswordFile(given: { file: string; from: string }): string {
  let text: string;
  try {
    text = fs.readFileSync(given.file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new VaultError(
      'no-password',
      given.file,
      `cannot read the vault password file given by ${given.from} (${code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'a folder' : code})`,
    );
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '')
    throw new VaultError(
      'no-password',
      given.file,
      `the vault password file given by ${given.from} is empty: an empty password is refused`,
    );
  return password;
}

/**
 * The password of existing vaults: the file given, else a prompt on a
 * terminal, else an error that says how to give it.
 */
export function vaultPassword(
  opts: VaultPasswordOptions,
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): PasswordSource {
  return async (vaultFile) => {
    const given = givenPasswordFile(opts, env);
    if (given) return readPasswordFile(given);
    if (io.promptSecret)
      return nonEmpty(await io.promptSecret(`Vault password for ${vaultFile}: `), vaultFile);
    throw new VaultError('no-password', vaultFile, `a vault password is needed: ${HOW}`);
  };
}

/** The vaults of one command, opened with the password from the usual sources. */
export function vaultStore(opts: VaultPasswordOptions, io: Io): VaultStore {
  return new VaultStore(vaultPassword(opts, io));
}

/**
 * A password for a vault being written: the file given, else asked twice on
 * a terminal, else an error that says how to give it.
 */
export async function newVaultPassword(
  given: { file: string; from: string } | undefined,
  io: Io,
  vaultFile: string,
  how = HOW,
): Promise<string> {
  if (given) return readPasswordFile(given);
  if (!io.promptSecret)
    throw new VaultError('no-password', vaultFile, `a new vault password is needed: ${how}`);
  const first = nonEmpty(await io.promptSecret(`New vault password for ${vaultFile}: `), vaultFile);
  const again = await io.promptSecret('Repeat it: ');
  if (again !== first)
    throw new VaultError('no-password', vaultFile, 'the two passwords differ: nothing written');
  return first;
}

function nonEmpty(password: string, vaultFile: string): string {
  if (password === '')
    throw new VaultError('no-password', vaultFile, 'an empty vault password is refused');
  return password;
}
