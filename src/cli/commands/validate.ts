import type { Diagnostic } from '../../core/errors';
import { formatDiagnostic } from '../../core/errors';
import { hasErrors } from '../../core/result';
import { desiredFiles } from '../../engine/desired-files';
import { loadProject } from '../../engine/project';
import { describeSecretRef, lookupSecret } from '../../inventory/secrets';
import { inventoryDir } from '../../inventory/load';
import { MASK } from '../../core/redact';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';

export interface ValidateOptions {
  inventory: string;
  playbook: string;
}

/**
 * Checks the inventory, the playbook and a trial render of every template for
 * every host. Reports every problem; exit 1 on errors, 0 with warnings only.
 */
export async function runValidate(opts: ValidateOptions, io: Io): Promise<number> {
  const { project, diagnostics } = loadProject(opts.inventory, opts.playbook);
  const all: Diagnostic[] = [...diagnostics];
  if (project) {
    const unresolved = new Set<string>();
    const rendered = desiredFiles(project, {
      secret: (ref, variable, host) => {
        const found = lookupSecret(ref, inventoryDir(project.inventory));
        if (!found.ok && !unresolved.has(describeSecretRef(ref))) {
          unresolved.add(describeSecretRef(ref));
          all.push({
            severity: 'warning',
            file: project.inventory.file,
            field: variable,
            message: `${found.reason} (host ${host}); apply and diff will need it`,
          });
        }
        return MASK;
      },
    });
    all.push(...rendered.diagnostics);
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
  const hosts = project!.inventory.hosts.size;
  io.out(
    `ok: ${opts.inventory} (${hosts} host${hosts === 1 ? '' : 's'}) and ${opts.playbook} are valid${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`,
  );
  return ExitCode.OK;
}
