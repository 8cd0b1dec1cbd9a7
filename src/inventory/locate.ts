import type { Diagnostic } from '../core/errors';
import { parseYaml, positionOf, readSourceFile, type YamlSource } from '../core/yaml-source';
import type { Inventory } from './model';

/**
 * Diagnostics about a host's variable found after loading (a secret that
 * cannot be resolved): placed at the definition the host takes the variable
 * from. The inventory file is read again only when one is reported.
 */
export function variableDiagnostic(
  inventory: Inventory,
): (
  host: string,
  variable: string,
  message: string,
  severity?: Diagnostic['severity'],
) => Diagnostic {
  let source: YamlSource | undefined | null;
  return (host, variable, message, severity = 'error') => {
    const origin = inventory.hosts.get(host)?.origins[variable];
    if (source === undefined) {
      const read = readSourceFile(inventory.file);
      source = (read.text !== undefined && parseYaml(inventory.file, read.text).source) || null;
    }
    const at = origin && source ? positionOf(source, origin) : undefined;
    return {
      severity,
      file: inventory.file,
      ...(at ? { line: at.line, col: at.col } : {}),
      field: variable,
      message,
    };
  };
}
