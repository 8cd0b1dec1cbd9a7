import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../core/errors';
import { isAnsibleVault } from './ansible-yaml';

export const VAULT_FILE =
  'files encrypted with ansible-vault are not read: keep secrets in a foobar-infra vault and write references, { vault: NAME }';

/**
 * What the tool deliberately does not read, named instead of misread: INI
 * inventories, dynamic inventory scripts and inventory plugin configurations.
 */
export function unsupportedInventory(file: string, text: string): Diagnostic | undefined {
  const refuse = (message: string): Diagnostic => ({
    severity: 'error',
    file,
    line: 1,
    col: 1,
    message,
  });
  if (isAnsibleVault(text)) return refuse(VAULT_FILE);
  if (text.startsWith('#!') || (isExecutable(file) && !/\.(ya?ml|json)$/.test(file)))
    return refuse(
      'dynamic inventory scripts are not supported: run the script and save its output as a YAML inventory (ansible-inventory -i SCRIPT --list --yaml --export > inventory.yml)',
    );
  const first = text.split('\n').find((line) => !/^\s*([#;].*)?$/.test(line));
  const ini =
    ['.ini', '.cfg'].includes(path.extname(file)) ||
    (first !== undefined && /^\[[^\]\s]+\]\s*$/.test(first)) ||
    (first !== undefined && /^[^\s:=#[]+\s+[A-Za-z_]\w*=/.test(first));
  if (ini)
    return refuse(
      'INI inventories are not supported: convert it to YAML with ansible-inventory -i FILE --list --yaml --export > inventory.yml',
    );
  const plugin = /^plugin:\s*(\S+)/m.exec(text);
  if (plugin)
    return refuse(
      `inventory plugin configurations (plugin: ${plugin[1]}) are not supported: save the plugin's output as a YAML inventory (ansible-inventory -i FILE --list --yaml --export > inventory.yml)`,
    );
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    return (fs.statSync(file).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
