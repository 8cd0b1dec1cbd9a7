import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../core/errors';
import { InputError } from '../core/errors';
import { hasErrors } from '../core/result';
import { loadInventory } from '../inventory/load';
import { hostsTouched } from '../inventory/touched';
import type { Host, Inventory } from '../inventory/model';
import type { VariableTable } from '../inventory/variables';
import { MODULE_CATALOG } from '../modules/registry';
import { loadPlaybook } from '../playbook/load';
import { declaredVariables, type Playbook } from '../playbook/model';
import { playTargetDiagnostics } from './play-targets';

/**
 * Rules a project's inventory must follow beyond its schema (the site's:
 * HTTPS, firewall, MySQL topology). Given by the caller: the engine knows no
 * site. `refused` says which variables' values were refused already, so that
 * a rule never judges them again (a knock-on error).
 */
export type InventoryRules = (
  inventory: Inventory,
  refused?: (host: Host, variable: string) => boolean,
) => Diagnostic[];

/**
 * What a kind of project (the site) adds to the generic loader: the variables
 * its inventories know (typed, with defaults) and the rules they must follow.
 * The engine knows no site: the commands give it this (cli/site-project.ts).
 */
export interface ProjectSpec {
  variables?: VariableTable;
  rules?: InventoryRules;
}

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
 * the inventory, and checks that each play's hosts exist. Every problem of
 * both files is reported at once. With errors, `partial` is the project as far
 * as it loaded and the hosts its errors touch: `validate` still renders the
 * templates of the other hosts, so one run reports every independent error.
 */
export function loadProject(
  inventoryPath: string,
  playbookPath: string,
  spec: ProjectSpec = {},
): {
  project?: Project;
  diagnostics: Diagnostic[];
  partial?: { project: Project; touched: Set<string> };
} {
  const playbook = loadPlaybook(playbookPath, MODULE_CATALOG);
  const declared = playbook.partial ? declaredVariables(playbook.partial) : new Set<string>();
  const inventory = loadInventory(inventoryPath, {
    variables: spec.variables,
    declared,
    playbookDir: path.dirname(path.resolve(playbookPath)),
  });
  // The rules (the site's: HTTPS, firewall, MySQL topology) apply to what is run, not to the loader.
  // They run beside variable errors too (every error in one run), but never judge a
  // variable whose value was refused: that would be a knock-on error.
  const refused = (host: Host, variable: string) => {
    const names = inventory.refused.get(host.name);
    return names === 'all' || (names?.has(variable) ?? false);
  };
  const broken = inventory.partial && spec.rules ? spec.rules(inventory.partial, refused) : [];
  const diagnostics = [...inventory.diagnostics, ...broken, ...playbook.diagnostics];
  if (!inventory.partial || !playbook.partial) return { diagnostics };
  diagnostics.push(...playTargetDiagnostics(inventory.partial, playbook.partial));
  const dir = playbook.partial.dir;
  const project: Project = {
    inventory: inventory.partial,
    playbook: playbook.partial,
    templatesDir: siblingFolder(dir, 'templates'),
    filesDir: siblingFolder(dir, 'files'),
    warnings: diagnostics,
  };
  if (!hasErrors(diagnostics)) return { project, diagnostics };
  return {
    diagnostics,
    partial: { project, touched: hostsTouched(project.inventory, diagnostics) },
  };
}

/** loadProject, throwing an InputError with every diagnostic when anything is wrong. */
export function requireProject(
  inventoryPath: string,
  playbookPath: string,
  spec?: ProjectSpec,
): Project {
  const { project, diagnostics } = loadProject(inventoryPath, playbookPath, spec);
  if (!project) throw new InputError(diagnostics.filter((d) => d.severity === 'error'));
  return project;
}

/**
 * The inventory alone, merged as Ansible merges it, for commands that need no
 * playbook: the playbook adds the variables it declares and its group_vars/
 * and host_vars/. The default playbook is read when it exists; one the user
 * `given` must exist and load. `rules` (the site's) run only when given.
 * Throws an InputError with every diagnostic when anything is wrong.
 */
export function requireInventory(
  inventoryPath: string,
  playbookPath: string,
  opts: ProjectSpec & { warn?: (warning: Diagnostic) => void; given?: boolean } = {},
): Inventory {
  let declared = new Set<string>();
  let playbookDir: string | undefined;
  if (opts.given || fs.existsSync(playbookPath)) {
    const playbook = loadPlaybook(playbookPath, MODULE_CATALOG);
    if (opts.given && hasErrors(playbook.diagnostics))
      throw new InputError(playbook.diagnostics.filter((d) => d.severity === 'error'));
    if (playbook.value) declared = declaredVariables(playbook.value);
    playbookDir = path.dirname(path.resolve(playbookPath));
  }
  const loaded = loadInventory(inventoryPath, {
    variables: opts.variables,
    declared,
    playbookDir,
  });
  const diagnostics = [...loaded.diagnostics];
  if (loaded.value && opts.rules) diagnostics.push(...opts.rules(loaded.value));
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
