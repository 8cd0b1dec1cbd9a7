/**
 * `deferred`: what a dry run cannot decide before an earlier change has run.
 * In apply the earlier change has run, so meeting one is an error.
 */
import { quote } from '../../core/shell';
import { SimulatedFailure } from '../../facts/memory-host';
import type { ChangeKind } from './kind';
import { commitOnly } from './shell-steps';

export const deferredKind: ChangeKind<'deferred'> = {
  kind: 'deferred',
  describe: (c) => c.reason,
  shell: (c) => commitOnly(`fail ${quote(c.reason)}`),
  simulate(c) {
    throw new SimulatedFailure(c.reason, 1);
  },
  entry: (c) => ({ kind: 'deferred', action: 'decided during apply', reason: c.reason }),
};
