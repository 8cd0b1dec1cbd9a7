/**
 * The commands' projects are the site's: loaded by the generic engine with
 * the site's variables (src/site/variables.ts) and its rules on the
 * inventory (src/site/rules.ts). The one place where the two meet.
 */
import type { Diagnostic } from '../core/errors';
import { loadProject, requireInventory, requireProject, type ProjectSpec } from '../engine/project';
import { checkRules } from '../site/rules';
import { SITE_VARIABLES } from '../site/variables';

export const SITE: ProjectSpec = { variables: SITE_VARIABLES, rules: checkRules };

export const loadSiteProject = (inventoryPath: string, playbookPath: string) =>
  loadProject(inventoryPath, playbookPath, SITE);

export const requireSiteProject = (inventoryPath: string, playbookPath: string) =>
  requireProject(inventoryPath, playbookPath, SITE);

/**
 * The inventory alone, with the site's variables; with its rules too unless
 * `rules` is false (`inventory` shows the merge without judging it).
 */
export const requireSiteInventory = (
  inventoryPath: string,
  playbookPath: string,
  opts: { given?: boolean; rules?: boolean; warn?: (warning: Diagnostic) => void } = {},
) =>
  requireInventory(inventoryPath, playbookPath, {
    ...SITE,
    rules: opts.rules === false ? undefined : SITE.rules,
    given: opts.given,
    warn: opts.warn,
  });
