import type { Diagnostic } from '../core/errors';
import type { Checked } from '../core/result';
import { diagnosticAt, parseYaml } from '../core/yaml-source';
import { VAULT_SECRET_NAME } from '../inventory/secret-ref';

/** What `vault create` opens the editor on. */
export const STARTER_TEXT = `# A foobar-infra vault: one secret a line, NAME: value. It is encrypted when
# the editor closes. The inventory names a secret as { vault: NAME } and the
# vault as vault_file. Quote values YAML would read otherwise ("yes", "0123");
# a multi-line value (a PEM key) is a block:
#   site_tls_key: |
#     -----BEGIN PRIVATE KEY-----
#     ...
`;

/**
 * Reads a vault's plaintext: a YAML mapping of secret name → non-empty string.
 * Comments alone (or nothing) are an empty vault. Problems name the line and
 * the secret, never a value.
 */
export function parseVaultContent(text: string, file: string): Checked<Map<string, string>> {
  if (/^(\s*(#.*)?\n?)*$/.test(text)) return { value: new Map(), diagnostics: [] };
  const parsed = parseYaml(file, text);
  if (!parsed.source) return { value: undefined, diagnostics: parsed.diagnostics };
  const source = parsed.source;
  const data = source.data;
  const diagnostics: Diagnostic[] = [];
  if (data === null || data === undefined) return { value: new Map(), diagnostics };
  if (typeof data !== 'object' || Array.isArray(data))
    return {
      value: undefined,
      diagnostics: [
        diagnosticAt(
          source,
          [],
          `a vault holds a mapping of secret names to values (NAME: value), got ${kindOf(data)}`,
        ),
      ],
    };
  const secrets = new Map<string, string>();
  for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
    if (!VAULT_SECRET_NAME.test(name)) {
      diagnostics.push(
        diagnosticAt(
          source,
          [name],
          'not a secret name: letters, digits, "_", "-" and ".", starting with a letter or "_"',
          { key: true },
        ),
      );
      continue;
    }
    if (typeof value !== 'string') {
      diagnostics.push(
        diagnosticAt(
          source,
          [name],
          `a secret is a string, got ${kindOf(value)}${typeof value === 'number' || typeof value === 'boolean' ? ' (quote it)' : ''}`,
        ),
      );
      continue;
    }
    if (value === '') {
      diagnostics.push(diagnosticAt(source, [name], 'a secret cannot be empty'));
      continue;
    }
    secrets.set(name, value);
  }
  return diagnostics.length ? { value: undefined, diagnostics } : { value: secrets, diagnostics };
}

/** What a value is, never what it holds: a number in a vault is a secret too. */
function kindOf(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}
