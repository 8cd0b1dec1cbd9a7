import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../core/errors';
import type { Checked } from '../core/result';
import { readSourceFile, type YamlSource } from '../core/yaml-source';
import { readAnsibleYaml } from './ansible-yaml';
import { mergeInventory, type Refusals } from './merge';
import type { Inventory } from './model';
import { parseInventoryFile } from './parse-file';
import { unsupportedInventory } from './unsupported';
import { CONNECTION_VARIABLES, type VariableTable, type Vocabulary } from './variables';
import { VarsFolder } from './vars-files';

export interface LoadOptions {
  /**
   * The variables the tool knows (typed, with defaults): a site's table
   * (src/site/variables.ts); the connection's alone by default.
   */
  variables?: VariableTable;
  /** Variables a playbook declares (its `vars:` keys): allowed in the inventory. */
  declared?: Iterable<string>;
  /**
   * The playbook's folder: its `group_vars/` and `host_vars/` apply over the
   * inventory's, as in Ansible.
   */
  playbookDir?: string;
}

/** A loaded inventory, and as far as it loaded when it has errors. */
export type LoadedInventory = Checked<Inventory> & {
  /**
   * With errors in variables' values only (its shape loaded): the inventory
   * as far as it loaded, the refused values left out.
   */
  partial?: Inventory;
  /** Each host's variables whose value was refused (their error is reported). */
  refused: Refusals;
};

/**
 * Loads an inventory file with the `group_vars/` and `host_vars/` beside it
 * (and beside the playbook) and merges it as Ansible does. Neutral: the
 * site's rules (src/site/rules.ts) are not run here. Errors and warnings
 * come back as values.
 */
export function loadInventory(file: string, options: LoadOptions = {}): LoadedInventory {
  if (isDirectory(file)) {
    const message =
      'is a directory: inventory folders (several sources merged) are not supported; give one YAML inventory file';
    return failed([{ severity: 'error', file, message }]);
  }
  const read = readSourceFile(file);
  if (read.text === undefined) return failed(read.diagnostics);
  return parseInventory(file, read.text, options);
}

/**
 * `partial`: the inventory also when some variables have errors (for
 * `validate`); absent when its shape (groups, hosts) did not load.
 */
export function parseInventory(
  file: string,
  text: string,
  options: LoadOptions = {},
): LoadedInventory {
  const unsupported = unsupportedInventory(file, text);
  if (unsupported) return failed([unsupported]);
  const parsed = readAnsibleYaml(file, text);
  if (!parsed.source) return failed(parsed.diagnostics);
  const diagnostics: Diagnostic[] = [];
  const vocabulary: Vocabulary = {
    variables: options.variables ?? CONNECTION_VARIABLES,
    declared: new Set(options.declared ?? []),
  };
  const fileInventory = parseInventoryFile(parsed.source, vocabulary, diagnostics);
  const sources = new Map<string, YamlSource>([[file, parsed.source]]);
  const folders = varsFolders(file, options.playbookDir).map(
    (dir) => new VarsFolder(dir, vocabulary, diagnostics, sources),
  );
  const merged = mergeInventory(fileInventory, parsed.source, folders, sources, diagnostics, {
    variables: vocabulary.variables,
  });
  const { inventory, refused } = merged;
  for (const folder of folders) {
    diagnostics.push(...folder.unusedFiles('group_vars', new Set(inventory.groups.keys())));
    diagnostics.push(...folder.unusedFiles('host_vars', new Set(inventory.hosts.keys())));
  }
  const hasError = diagnostics.some((d) => d.severity === 'error');
  // As far as it loaded: only when its shape did (else hosts or groups are missing).
  const partial = fileInventory.structural || merged.structural ? undefined : inventory;
  return { value: hasError ? undefined : inventory, partial, diagnostics, refused };
}

function failed(diagnostics: Diagnostic[]): LoadedInventory {
  return { value: undefined, diagnostics, refused: new Map() };
}

/** The inventory's folder, then the playbook's when it is another one. */
function varsFolders(file: string, playbookDir: string | undefined): string[] {
  const inventory = path.dirname(path.resolve(file));
  if (!playbookDir) return [inventory];
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(inventory) === real(playbookDir) ? [inventory] : [inventory, playbookDir];
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** The folder relative secret files and paths in an inventory are resolved from. */
export function inventoryDir(inventory: Inventory): string {
  return path.dirname(path.resolve(inventory.file));
}
