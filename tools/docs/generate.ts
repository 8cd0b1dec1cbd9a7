import { ARGUMENT_TYPES } from '../../src/modules/arg-types';
import { MODULES } from '../../src/modules/registry';
import { moduleReference } from './module-reference';
import { captureCases, troubleshootingPage } from './troubleshooting';
import { TROUBLE_CASES } from './troubleshooting-cases';

/** A page generated from the code, and where it lives in the project. */
export interface GeneratedDoc {
  /** Relative to the project root. */
  file: string;
  content: string;
}

/** docs/modules.md, from the module registry. Pure. */
export function moduleReferenceDoc(): GeneratedDoc {
  return {
    file: 'docs/modules.md',
    content: moduleReference(Object.values(MODULES), ARGUMENT_TYPES),
  };
}

/** docs/troubleshooting.md, by running every case (local files only, no SSH). */
export async function troubleshootingDoc(root: string): Promise<GeneratedDoc> {
  return {
    file: 'docs/troubleshooting.md',
    content: troubleshootingPage(await captureCases(root, TROUBLE_CASES)),
  };
}

/** Every generated page: what `npm run docs` writes and the staleness tests compare. */
export async function generatedDocs(root: string): Promise<GeneratedDoc[]> {
  return [moduleReferenceDoc(), await troubleshootingDoc(root)];
}
