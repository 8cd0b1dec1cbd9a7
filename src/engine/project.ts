import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../core/errors';
import { InputError } from '../core/errors';
import { hasErrors } from '../core/result';
import { loadInventory } from '../inventory/load';
import { checkRules } from '../inventory/rules';
import type { Inventory } from '../inventory/model';
import { MODULE_CATALOG } from '../modules/registry';
import { loadPlaybook } from '../playbook/load';
import { declaredVariables, type Playbook } from '../playbook/model';

/** An inventory and a playbook, loaded and checked together. */
export interface Project {
  inventory: Inventory;
  playbook: Playbook;
  /** templates/ beside the playbook, or beside its folder. */
  templatesDir: string;
  /** files/ beside the playbook, or beside its folder. */
  filesDir: string;
  warnings: Diagnostic[];
}

/**
 * Loads the playbook first (it declares variables the inventory may set), then
 * the inventory. Every problem of both files is reported at once.
 */
export function loadProject(
  inventoryPath: string,
  playbookPath: string,
): { project?: Project; diagnostics: Diagnostic[] } {
  const playbook = loadPlaybook(playbookPath, MODULE_CATALOG);
  const declared = playbook.value ? declaredVariables(playbook.value) : new Set<string>();
  const inventory = loadInventory(inventoryPath, {
    declared,
    playbookDir: path.dirname(path.resolve(playbookPath)),
  });
  // The site's rules (HTTPS, firewall, MySQL topology) apply to what is run, not to the loader.
  const rules = inventory.value ? checkRules(inventory.value) : [];
  const diagnostics = [...inventory.diagnostics, ...rules, ...playbook.diagnostics];
  if (!inventory.value || !playbook.value || hasErrors(diagnostics)) return { diagnostics };
  const dir = playbook.value.dir;
  return {
    project: {
      inventory: inventory.value,
      playbook: playbook.value,
      templatesDir: siblingFolder(dir, 'templates'),
      filesDir: siblingFolder(dir, 'files'),
      warnings: diagnostics,
    },
    diagnostics,
  };
}

/** loadProject, throwing an InputError with every diagnostic when anything is wrong. */
export function requireProject(inventoryPath: string, playbookPath: string): Project {
  const { project, diagnostics } = loadProject(inventoryPath, playbookPath);
  if (!project) throw new InputError(diagnostics.filter((d) => d.severity === 'error'));
  return project;
}

/**
 * The inventory alone, merged as Ansible merges it, for commands that need no
 * playbook: the playbook, when the file exists, adds the variables it declares
 * and its group_vars/ and host_vars/. The site's rules run only with `site`.
 * Throws an InputError with every diagnostic when anything is wrong.
 */
export function requireInventory(
  inventoryPath: string,
  playbookPath: string,
  opts: { site?: boolean; warn?: (warning: Diagnostic) => void } = {},
): Inventory {
  let declared = new Set<string>();
  let playbookDir: string | undefined;
  if (fs.existsSync(playbookPath)) {
    const playbook = loadPlaybook(playbookPath, MODULE_CATALOG);
    if (playbook.value) declared = declaredVariables(playbook.value);
    playbookDir = path.dirname(path.resolve(playbookPath));
  }
  const loaded = loadInventory(inventoryPath, { declared, playbookDir });
  const diagnostics = [...loaded.diagnostics];
  if (loaded.value && opts.site) diagnostics.push(...checkRules(loaded.value));
  if (!loaded.value || hasErrors(diagnostics))
    throw new InputError(diagnostics.filter((d) => d.severity === 'error'));
  for (const d of diagnostics) opts.warn?.(d);
  return loaded.value;
}

function siblingFolder(playbookDir: string, name: string): string {
  const inside = path.join(playbookDir, name);
  if (fs.existsSync(inside)) return inside;
  return path.join(path.dirname(playbookDir), name);
}
