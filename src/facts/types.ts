/**
 * Facts: what the engine asks a host before planning. Each request becomes a
 * section of one gather script (script.ts); each section's output is read by
 * a pure parser (parse.ts). Tested with fixtures: {request, output} → fact.
 *
 * Each kind's key, command and parser live together in kinds/<kind>.ts,
 * joined by the registry in kinds/index.ts. The data types are in model.ts;
 * this module is where the rest of the code imports them from.
 */
import { factKind } from './kinds';
import type { FactRequest } from './model';

export type {
  AccountFact,
  Fact,
  FactRequest,
  FileFact,
  FileType,
  PackageFact,
  CurrentRelease,
  ReleasesFact,
  ListingFact,
  RemoteDatabase,
  SqlResult,
  SshClientFact,
  TreeEntry,
  TreeFact,
  UnitFact,
} from './model';
export { unitName } from './kinds/units';

/** A stable key: the same request from two tasks is gathered once. */
export function factKey(request: FactRequest): string {
  return factKind(request).key(request);
}
