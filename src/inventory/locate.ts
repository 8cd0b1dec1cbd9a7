import type { Diagnostic } from '../core/errors';
import { positionOf } from '../core/yaml-source';
import type { Inventory } from './model';

/**
 * Diagnostics about a host's variable found after loading (a secret that
 * cannot be resolved): placed at the definition the host takes the variable
 * from, in the inventory file or in a group_vars/ or host_vars/ file.
 */
export function variableDiagnostic(
  inventory: Inventory,
): (
  host: string,
  variable: string,
  message: string,
  severity?: Diagnostic['severity'],
) => Diagnostic {
  return (host, variable, message, severity = 'error') => {
    const origin = inventory.hosts.get(host)?.origins[variable];
    const file = origin?.file ?? inventory.file;
    const source = inventory.sources.get(file);
    const at = origin && source ? positionOf(source, origin.path) : undefined;
    return {
      severity,
      file,
      ...(at ? { line: at.line, col: at.col } : {}),
      field: variable,
      message,
    };
  };
}
