import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../core/errors';
import { parseVaultContent } from './vault-content';
import { decrypt, parseVault } from './vault-format';

export type VaultOpen =
  { ok: true; secrets: ReadonlyMap<string, string> } | { ok: false; reason: string };

/** Asks for the vault password (for the vault named): a file, the environment, a prompt. */
export type PasswordSource = (vaultFile: string) => Promise<string>;

/**
 * The vaults of one run. Each file is read and decrypted at most once; the
 * password is asked at most once, and only when a vault is opened. A file
 * that cannot be read is a value (`ok: false`), like an unreadable secret
 * file; a wrong password, a tampered or malformed vault throws VaultError; a
 * vault whose plaintext is not a mapping of names to strings throws
 * InputError.
 */
export class VaultStore {
  private readonly opened = new Map<string, Promise<VaultOpen>>();
  private password: Promise<string> | undefined;

  constructor(private readonly askPassword: PasswordSource) {}

  open(file: string): Promise<VaultOpen> {
    const absolute = path.resolve(file);
    let opening = this.opened.get(absolute);
    if (!opening) {
      opening = this.read(absolute);
      this.opened.set(absolute, opening);
    }
    return opening;
  }

  private async read(file: string): Promise<VaultOpen> {
    const shown = displayPath(file);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return {
        ok: false,
        reason: `cannot read vault file ${shown} (${code === 'ENOENT' ? 'not found' : code})`,
      };
    }
    // A file that is no vault is refused before anyone is asked for a password.
    parseVault(text, shown);
    this.password ??= this.askPassword(shown);
    const plaintext = decrypt(text, await this.password, shown);
    const content = parseVaultContent(plaintext, `${shown} (decrypted)`);
    if (!content.value) throw new InputError(content.diagnostics);
    return { ok: true, secrets: content.value };
  }
}

/** A path relative to the working folder when it is inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
