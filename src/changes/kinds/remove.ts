/** `remove`: a path and everything below it. */
import { quote } from '../../core/shell';
import type { ChangeKind } from './kind';
import { commitOnly } from './shell-steps';

export const removeKind: ChangeKind<'remove'> = {
  kind: 'remove',
  describe: (c) => `remove ${c.path}`,
  shell: (c) =>
    commitOnly(`rm -rf -- ${quote(c.path)} || fail ${quote(`cannot remove ${c.path}`)}`),
  simulate(c, s) {
    for (const map of [s.files, s.dirs, s.links] as Map<string, unknown>[]) {
      for (const p of [...map.keys()])
        if (p === c.path || p.startsWith(`${c.path}/`)) map.delete(p);
    }
    s.log.push(`remove ${c.path}`);
  },
  entry: (c) => ({ kind: 'remove', action: 'remove', path: c.path, reason: 'it exists' }),
};
