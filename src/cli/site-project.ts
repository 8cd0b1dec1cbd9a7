/**
 * The commands' projects are the site's: loaded by the generic engine, with
 * the site's rules on the inventory (src/site/rules.ts). The one place where
 * the two meet.
 */
import {
  loadProject,
  requireInventory,
  requireProject,
  type InventoryRules,
} from '../engine/project';
import { checkRules } from '../site/rules';

const SITE_RULES: InventoryRules = checkRules;

export const loadSiteProject = (inventoryPath: string, playbookPath: string) =>
  loadProject(inventoryPath, playbookPath, SITE_RULES);

export const requireSiteProject = (inventoryPath: string, playbookPath: string) =>
  requireProject(inventoryPath, playbookPath, SITE_RULES);

/** The inventory alone, with the site's rules (graph); `inventory` shows it without them. */
export const requireSiteInventory = (
  inventoryPath: string,
  playbookPath: string,
  opts: { given?: boolean } = {},
) => requireInventory(inventoryPath, playbookPath, { ...opts, rules: SITE_RULES });
