/** `vault ACTION FILE`, and the vault password option of every command that resolves secrets. */
import type { Command } from 'commander';
import type { ProgramContext } from './context';

const PASSWORD_HELP = `file holding the vault password (else $FOOBAR_VAULT_PASSWORD_FILE, else asked on a terminal)`;

/** Encrypted secrets: `vault ACTION FILE`. */
export function addVaultCommands(program: Command, ctx: ProgramContext): void {
  const vault = program
    .command('vault')
    .description(
      'encrypted secrets files (AES-256-GCM, scrypt) read by { vault: NAME } references',
    );
  for (const [action, what] of [
    ['create', 'write a new vault with $EDITOR (the password asked twice)'],
    ['edit', 'change a vault with $EDITOR; rewritten only when changed'],
    ['view', 'print the plaintext'],
    ['encrypt', 'encrypt a plain YAML file (NAME: value) in place'],
    ['decrypt', 'decrypt a vault in place, or to --output'],
    ['rekey', 'encrypt a vault under a new password'],
  ] as const) {
    const command = vault
      .command(action)
      .description(what)
      .argument('<file>', 'the vault file')
      .option('--vault-password-file <file>', PASSWORD_HELP);
    if (action === 'decrypt')
      command.option('--output <file>', 'write the plaintext there (- for stdout) instead');
    if (action === 'rekey')
      command.option('--new-vault-password-file <file>', 'file holding the new password');
    command.action((file: string, opts: import('../commands/vault').VaultOptions) =>
      ctx.setAction(async (io) =>
        (await import('../commands/vault')).runVault(action, file, opts, io),
      ),
    );
  }
}

/** The vault password option of every command that resolves secrets (defined before this runs). */
export function addVaultPasswordOptions(program: Command): void {
  for (const name of ['validate', 'apply', 'diff', 'status', 'promote'])
    program.commands
      .find((c) => c.name() === name)
      ?.option(
        '--vault-password-file <file>',
        name === 'validate'
          ? `file holding the vault password (else $FOOBAR_VAULT_PASSWORD_FILE); without one, vault references are warned about, not checked`
          : PASSWORD_HELP,
      );
}
