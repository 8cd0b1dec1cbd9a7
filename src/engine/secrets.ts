import type { Diagnostic } from '../core/errors';
import { InputError } from '../core/errors';
import type { Redactor } from '../core/redact';
import { inventoryDir } from '../inventory/load';
import { describeSecretRef, isSecretRef, type SecretRef } from '../inventory/secret-ref';
import { lookupSecret } from '../inventory/secrets';
import type { SecretValue } from '../render/context';
import type { Project } from './project';

/**
 * Resolves every secret the hosts in scope reference, before anything
 * connects, and registers each value with the redactor so that no output can
 * carry it. Unresolvable references are reported together.
 */
export function resolveSecrets(
  project: Project,
  hosts: readonly string[],
  redactor: Redactor,
): SecretValue {
  const values = new Map<string, string>();
  const problems: Diagnostic[] = [];
  const base = inventoryDir(project.inventory);
  const refs = new Map<string, { ref: SecretRef; variable: string; host: string }>();
  const playVars = project.playbook.plays.map((p) => p.vars);
  for (const host of hosts) {
    const vars = {
      ...Object.assign({}, ...playVars),
      ...project.inventory.hosts.get(host)!.vars,
    } as Record<string, unknown>;
    for (const [variable, v] of Object.entries(vars)) {
      if (isSecretRef(v) && !refs.has(describeSecretRef(v)))
        refs.set(describeSecretRef(v), { ref: v, variable, host });
    }
  }
  for (const [key, { ref, variable, host }] of refs) {
    const found = lookupSecret(ref, base);
    if (found.ok) {
      values.set(key, found.value);
      redactor.add(found.value);
    } else {
      problems.push({
        severity: 'error',
        file: project.inventory.file,
        field: variable,
        message: `${found.reason} (needed by host ${host})`,
      });
    }
  }
  if (problems.length) throw new InputError(problems);
  return (ref) => {
    const value = values.get(describeSecretRef(ref));
    if (value === undefined)
      throw new InputError([
        {
          severity: 'error',
          file: project.inventory.file,
          message: `secret ${describeSecretRef(ref)} was not resolved`,
        },
      ]);
    return value;
  };
}
