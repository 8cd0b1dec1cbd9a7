/**
 * The registry of change kinds: each kind's definition (kinds/<kind>.ts) by
 * name. Typed as a map over every Change kind, so that a kind added to the
 * union without a definition here does not compile. The change script, the
 * in-memory driver, the plan document and every description dispatch
 * through it.
 */
import type { MemoryHost } from '../../facts/memory-host';
import type { Change, ChangeKindName } from '../model';
import { attributesKind } from './attributes';
import { awaitReplicaKind } from './await-replica';
import { commandKind } from './command';
import { deferredKind } from './deferred';
import type { ChangeKind, PlanEntry, ShellSteps } from './kind';
import { mkdirKind } from './mkdir';
import { packagesKind } from './packages';
import { removeKind } from './remove';
import { serviceKind } from './service';
import { sqlKind } from './sql';
import { symlinkKind } from './symlink';
import { transferKind } from './transfer';
import { writeKind } from './write';

export { commandText } from './command';
export type { PlanEntry, ShellSteps } from './kind';
export { VALIDATION_FAILED } from './shell-steps';

export const CHANGE_KINDS: { readonly [K in ChangeKindName]: ChangeKind<K> } = {
  write: writeKind,
  attributes: attributesKind,
  mkdir: mkdirKind,
  symlink: symlinkKind,
  remove: removeKind,
  packages: packagesKind,
  service: serviceKind,
  command: commandKind,
  sql: sqlKind,
  transfer: transferKind,
  deferred: deferredKind,
  'await-replica': awaitReplicaKind,
};

/** A definition seen from a dispatch: it takes a change of any kind. */
interface AnyChangeKind {
  describe(change: Change): string;
  shell(change: Change, payloads: Buffer[]): ShellSteps;
  simulate(change: Change, host: MemoryHost): void;
  entry(change: Change, context: { handler: boolean }): PlanEntry;
}

/**
 * The definition of a change's kind. The registry gives each kind its own
 * definition, so the one picked by `change.kind` takes that very change:
 * widened here once (method parameters compare bivariantly) instead of at
 * every call.
 */
export function changeKind(change: Change): AnyChangeKind {
  return CHANGE_KINDS[change.kind];
}

/** A one-line description of a change, for progress and recaps. */
export function describeChange(change: Change): string {
  return changeKind(change).describe(change);
}
