import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../core/errors';
import { InputError } from '../core/errors';
import { hasErrors } from '../core/result';
import { loadInventory } from '../inventory/load';
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
  const inventory = loadInventory(inventoryPath, { declared });
  const diagnostics = [...inventory.diagnostics, ...playbook.diagnostics];
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
 * The inventory alone, for commands that need no playbook: the playbook, when
 * the file exists, only adds the variables it declares. Throws an InputError
 * with every diagnostic when anything is wrong.
 */
export function requireInventory(inventoryPath: string, playbookPath: string): Inventory {
  let declared = new Set<string>();
  if (fs.existsSync(playbookPath)) {
    const playbook = loadPlaybook(playbookPath, MODULE_CATALOG);
    if (playbook.value) declared = declaredVariables(playbook.value);
  }
  const loaded = loadInventory(inventoryPath, { declared });
  if (!loaded.value || hasErrors(loaded.diagnostics))
    throw new InputError(loaded.diagnostics.filter((d) => d.severity === 'error'));
  return loaded.value;
}

function siblingFolder(playbookDir: string, name: string): string {
  const inside = path.join(playbookDir, name);
  if (fs.existsSync(inside)) return inside;
  return path.join(path.dirname(playbookDir), name);
}
