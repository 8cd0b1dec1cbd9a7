import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, Refused, UsageError, VaultError } from '../../core/errors';
import { readSourceFile } from '../../core/yaml-source';
import { writePrivateAtomically } from '../../vault/private-files';
import { parseVaultContent, STARTER_TEXT } from '../../vault/vault-content';
import { decrypt, encrypt, looksLikeVault, parseVault } from '../../vault/vault-format';
import { editPrivately } from '../editor';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';
import {
  givenPasswordFile,
  newVaultPassword,
  vaultPassword,
  type VaultPasswordOptions,
} from '../vault-password';

export const VAULT_ACTIONS = ['create', 'edit', 'view', 'encrypt', 'decrypt', 'rekey'] as const;
export type VaultAction = (typeof VAULT_ACTIONS)[number];

export interface VaultOptions extends VaultPasswordOptions {
  /** rekey: the new password's file. */
  newVaultPasswordFile?: string;
  /** decrypt: where the plaintext goes (`-`: stdout) instead of in place. */
  output?: string;
}

/**
 * `vault create|edit|view|encrypt|decrypt|rekey FILE`. A vault is opened only
 * with the right password and an intact file; a wrong password or a tampered
 * file stops the command (exit 6) before anything is written. Every write is
 * atomic (mode 600), and every plaintext the editor sees is shredded.
 */
export async function runVault(
  action: VaultAction,
  file: string,
  opts: VaultOptions,
  io: Io,
): Promise<number> {
  switch (action) {
    case 'create':
      return create(file, opts, io);
    case 'edit':
      return edit(file, opts, io);
    case 'view':
      io.out((await open(file, opts, io)).plaintext);
      return ExitCode.OK;
    case 'encrypt':
      return encryptInPlace(file, opts, io);
    case 'decrypt':
      return decryptFile(file, opts, io);
    case 'rekey':
      return rekey(file, opts, io);
  }
}

async function create(file: string, opts: VaultOptions, io: Io): Promise<number> {
  if (exists(file))
    throw new UsageError(`${file} exists: change it with \`foobar-infra vault edit ${file}\``);
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new UsageError(`${file}: its folder ${dir} does not exist`);
  const password = await newVaultPassword(givenPasswordFile(opts), io, file);
  const text = await editPrivately(STARTER_TEXT, editName(file));
  if (text === STARTER_TEXT)
    throw new Refused(`${file}: the starter text was left as it was: no vault written`);
  const count = checkContent(text, file, 'nothing written');
  if (exists(file)) throw new Refused(`${file} appeared while you edited: nothing written`);
  write(file, encrypt(text, password));
  io.out(`${file}: vault created (${secrets(count)})`);
  return ExitCode.OK;
}

async function edit(file: string, opts: VaultOptions, io: Io): Promise<number> {
  const { text, password, plaintext } = await open(file, opts, io);
  const edited = await editPrivately(plaintext, editName(file));
  if (edited === plaintext) {
    io.out(`${file}: unchanged`);
    return ExitCode.OK;
  }
  const count = checkContent(edited, file, `${file} is left as it was (the edit is discarded)`);
  if (readText(file) !== text)
    throw new Refused(`${file} changed while you edited it: not written (the edit is discarded)`);
  write(file, encrypt(edited, password));
  io.out(`${file}: vault written (${secrets(count)})`);
  return ExitCode.OK;
}

async function encryptInPlace(file: string, opts: VaultOptions, io: Io): Promise<number> {
  const text = readText(file);
  if (looksLikeVault(text)) throw new UsageError(`${file} is already a vault: nothing to encrypt`);
  const count = checkContent(text, file, `${file} is left as it was`, file);
  const password = await newVaultPassword(givenPasswordFile(opts), io, file);
  write(file, encrypt(text, password));
  io.out(`${file}: encrypted (${secrets(count)})`);
  return ExitCode.OK;
}

async function decryptFile(file: string, opts: VaultOptions, io: Io): Promise<number> {
  const text = readText(file);
  if (!looksLikeVault(text))
    throw new VaultError('format', file, 'not a vault: nothing to decrypt', 1);
  const { plaintext } = await open(file, opts, io, text);
  if (opts.output === '-') {
    io.out(plaintext);
    return ExitCode.OK;
  }
  const target = opts.output ?? file;
  write(target, plaintext);
  io.out(`${file}: decrypted${target === file ? ' in place' : ` into ${target}`}`);
  return ExitCode.OK;
}

async function rekey(file: string, opts: VaultOptions, io: Io): Promise<number> {
  const { plaintext } = await open(file, opts, io);
  const password = await newVaultPassword(
    opts.newVaultPasswordFile !== undefined
      ? { file: opts.newVaultPasswordFile, from: '--new-vault-password-file' }
      : undefined,
    io,
    file,
    'pass --new-vault-password-file FILE, or run on a terminal to be asked',
  );
  write(file, encrypt(plaintext, password));
  io.out(`${file}: rekeyed`);
  return ExitCode.OK;
}

/** Reads and decrypts a vault: its structure is checked before the password is asked. */
async function open(
  file: string,
  opts: VaultOptions,
  io: Io,
  text = readText(file),
): Promise<{ text: string; password: string; plaintext: string }> {
  parseVault(text, file);
  const password = await vaultPassword(opts, io)(file);
  return { text, password, plaintext: decrypt(text, password, file) };
}

/** Checks a vault's plaintext; the number of secrets, or an InputError that says nothing is written. */
function checkContent(text: string, file: string, outcome: string, label?: string): number {
  const content = parseVaultContent(text, label ?? `${file} (edited)`);
  if (content.value) return content.value.size;
  throw new InputError([
    ...content.diagnostics,
    { severity: 'error', file, message: `not a valid vault content: ${outcome}` },
  ]);
}

function readText(file: string): string {
  const read = readSourceFile(file);
  if (read.text === undefined) throw new InputError(read.diagnostics);
  return read.text;
}

function write(file: string, text: string): void {
  try {
    writePrivateAtomically(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${file}: cannot write it (${code ?? String(error)}); it is left as it was`,
    );
  }
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** The temp file's name: the vault's, as YAML, so that the editor highlights it. */
function editName(file: string): string {
  const base = path.basename(file, path.extname(file)).replace(/^\.+/, '') || 'vault';
  return `${base}.yml`;
}

function secrets(count: number): string {
  return `${count} secret${count === 1 ? '' : 's'}`;
}
