import type { Diagnostic } from '../../core/errors';
import { formatDiagnostic } from '../../core/errors';
import { hasErrors } from '../../core/result';
import { desiredFiles } from '../../engine/desired-files';
import type { Project } from '../../engine/project';
import { loadSiteProject } from '../site-project';
import { secretsInScope, type SecretUse } from '../../engine/secrets';
import type { VaultRef } from '../../inventory/secret-ref';
import { describeSecretRef, lookupSecret, lookupVaultSecret } from '../../inventory/secrets';
import { inventoryDir } from '../../inventory/load';
import { variableDiagnostic } from '../../inventory/locate';
import { MASK } from '../../core/redact';
import { displayPath, VaultStore } from '../../vault/vault-store';
import { ExitCode } from '../exit-codes';
import { checkLocally } from './validate-local';
import type { Io } from '../io';
import {
  givenPasswordFile,
  readPasswordFile,
  PASSWORD_FILE_ENV,
  type VaultPasswordOptions,
} from '../vault-password';

export interface ValidateOptions extends VaultPasswordOptions {
  inventory: string;
  playbook: string;
}

/**
 * Checks the inventory, the playbook and a trial render of every template for
 * every host. Reports every problem; exit 1 on errors, 0 with warnings only.
 */
export async function runValidate(opts: ValidateOptions, io: Io): Promise<number> {
  const loaded = loadSiteProject(opts.inventory, opts.playbook);
  const all: Diagnostic[] = [...loaded.diagnostics];
  // With errors elsewhere, the templates of the hosts those errors do not touch are still tried.
  const project = loaded.project ?? loaded.partial?.project;
  const skipHosts = loaded.partial?.touched;
  if (project) {
    all.push(...(await checkVaultReferences(project, opts, skipHosts)));
    const unresolved = new Set<string>();
    const at = variableDiagnostic(project.inventory);
    const rendered = desiredFiles(project, {
      skipHosts,
      secret: (ref, variable, host) => {
        if ('vault' in ref) return MASK;
        const found = lookupSecret(ref, inventoryDir(project.inventory));
        if (!found.ok && !unresolved.has(describeSecretRef(ref))) {
          unresolved.add(describeSecretRef(ref));
          all.push(
            at(
              host,
              variable,
              `${found.reason} (host ${host}); apply and diff will need it`,
              'warning',
            ),
          );
        }
        return MASK;
      },
    });
    all.push(...rendered.diagnostics);
    all.push(...checkLocally(rendered.hosts, project.playbook.file));
  }
  for (const d of all) io.err(formatDiagnostic(d));
  const errors = all.filter((d) => d.severity === 'error').length;
  const warnings = all.length - errors;
  if (hasErrors(all)) {
    io.err(
      `validate: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
    );
    return ExitCode.ERROR;
  }
  const hosts = loaded.project!.inventory.hosts.size;
  io.out(
    `ok: ${opts.inventory} (${hosts} host${hosts === 1 ? '' : 's'}) and ${opts.playbook} are valid${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`,
  );
  return ExitCode.OK;
}

/**
 * Every `{ vault: NAME }` reference of every host. Without a password file
 * (validate never prompts) a vault is a warning, like an environment variable
 * not set yet; with one, each name must be in its vault. A wrong password or
 * a tampered vault stops validate (exit 6).
 */
async function checkVaultReferences(
  project: Project,
  opts: VaultPasswordOptions,
  skipHosts?: ReadonlySet<string>,
): Promise<Diagnostic[]> {
  const hosts = [...project.inventory.hosts.keys()].filter((h) => !skipHosts?.has(h));
  const uses = secretsInScope(project, hosts).filter((use) => 'vault' in use.ref);
  if (uses.length === 0) return [];
  const out: Diagnostic[] = [];
  const at = variableDiagnostic(project.inventory);
  const given = givenPasswordFile(opts);
  const vaults = new VaultStore(async () => readPasswordFile(given!));
  const warnOnce = new Set<string>();
  const warn = (use: SecretUse, file: string, reason: string) => {
    if (!warnOnce.has(file))
      out.push(
        at(
          use.host,
          use.variable,
          `${reason} (host ${use.host}); apply and diff will need it`,
          'warning',
        ),
      );
    warnOnce.add(file);
  };
  for (const use of uses) {
    const ref = use.ref as VaultRef;
    if (!use.vaultFile) {
      out.push(
        at(
          use.host,
          use.variable,
          `{ vault: ${ref.vault} } needs a vault: set vault_file (host ${use.host})`,
        ),
      );
      continue;
    }
    if (!given) {
      warn(
        use,
        use.vaultFile,
        `vault ${displayPath(use.vaultFile)} not opened: no password given (--vault-password-file or ${PASSWORD_FILE_ENV})`,
      );
      continue;
    }
    const opened = await vaults.open(use.vaultFile);
    if (!opened.ok) {
      warn(use, use.vaultFile, opened.reason);
      continue;
    }
    const found = lookupVaultSecret(ref, displayPath(use.vaultFile), opened.secrets);
    if (!found.ok) out.push(at(use.host, use.variable, `${found.reason} (host ${use.host})`));
  }
  return out;
}
