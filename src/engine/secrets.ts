import type { Diagnostic } from '../core/errors';
import { InputError } from '../core/errors';
import type { Redactor } from '../core/redact';
import { inventoryDir } from '../inventory/load';
import { variableDiagnostic } from '../inventory/locate';
import { describeSecretRef, isSecretRef, type SecretRef } from '../inventory/secret-ref';
import {
  lookupSecret,
  lookupVaultSecret,
  vaultFileOf,
  type SecretLookup,
} from '../inventory/secrets';
import type { SecretValue } from '../render/context';
import { displayPath, type VaultStore } from '../vault/vault-store';
import type { Project } from './project';

/** One secret reference in use: the first host and variable that hold it. */
export interface SecretUse {
  /** The same for every use of one secret (a vault name: per vault file). */
  key: string;
  ref: SecretRef;
  variable: string;
  host: string;
  /** For a vault reference: the host's vault_file, resolved; absent when unset. */
  vaultFile?: string;
}

/** Every secret the hosts' variables reference, each once, in host order. */
export function secretsInScope(project: Project, hosts: readonly string[]): SecretUse[] {
  const uses = new Map<string, SecretUse>();
  const base = inventoryDir(project.inventory);
  for (const host of hosts) {
    const vars = hostVariables(project, host);
    for (const [variable, v] of Object.entries(vars)) {
      if (!isSecretRef(v)) continue;
      const vaultFile = 'vault' in v ? vaultFileOf(vars, base) : undefined;
      const key = secretKey(v, vaultFile);
      if (!uses.has(key))
        uses.set(key, { key, ref: v, variable, host, ...(vaultFile ? { vaultFile } : {}) });
    }
  }
  return [...uses.values()];
}

/**
 * Resolves every secret the hosts in scope reference, before anything
 * connects, and registers each value with the redactor so that no output can
 * carry it. A vault is opened (and its password asked) only when a reference
 * in scope names it. Unresolvable references are reported together.
 */
export async function resolveSecrets(
  project: Project,
  hosts: readonly string[],
  redactor: Redactor,
  vaults: VaultStore,
): Promise<SecretValue> {
  const values = new Map<string, string>();
  const problems: Diagnostic[] = [];
  const base = inventoryDir(project.inventory);
  const at = variableDiagnostic(project.inventory);
  for (const use of secretsInScope(project, hosts)) {
    const found = await lookupUse(use, base, vaults);
    if (found.ok) {
      values.set(use.key, found.value);
      redactor.add(found.value);
    } else {
      problems.push(at(use.host, use.variable, `${found.reason} (needed by host ${use.host})`));
    }
  }
  if (problems.length) throw new InputError(problems);
  return (ref, _variable, host) => {
    const key = secretKey(
      ref,
      'vault' in ref ? vaultFileOf(hostVariables(project, host), base) : undefined,
    );
    const value = values.get(key);
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

/** Looks one secret up; a vault is opened through the store (once per run). */
async function lookupUse(
  use: SecretUse,
  baseDir: string,
  vaults: VaultStore,
): Promise<SecretLookup> {
  const ref = use.ref;
  if (!('vault' in ref)) return lookupSecret(ref, baseDir);
  if (!use.vaultFile)
    return {
      ok: false,
      reason: `{ vault: ${ref.vault} } needs a vault: set vault_file (relative to the inventory's folder)`,
    };
  const opened = await vaults.open(use.vaultFile);
  if (!opened.ok) return opened;
  return lookupVaultSecret(ref, displayPath(use.vaultFile), opened.secrets);
}

/** A host's variables as its templates see them: play defaults, then the inventory. */
function hostVariables(project: Project, host: string): Record<string, unknown> {
  return {
    ...Object.assign({}, ...project.playbook.plays.map((p) => p.vars)),
    ...project.inventory.hosts.get(host)!.vars,
  } as Record<string, unknown>;
}

function secretKey(ref: SecretRef, vaultFile: string | undefined): string {
  return 'vault' in ref ? `vault:${vaultFile ?? ''}#${ref.vault}` : describeSecretRef(ref);
}
