/** `attributes`: a path's mode, owner or group, its content untouched. */
import { quote } from '../../core/shell';
import { SimulatedFailure } from '../../facts/memory-host';
import type { ChangeKind } from './kind';

export const attributesKind: ChangeKind<'attributes'> = {
  kind: 'attributes',
  describe: (c) =>
    `set ${[c.mode && `mode ${c.mode}`, c.owner && `owner ${c.owner}`, c.group && `group ${c.group}`].filter(Boolean).join(', ')} on ${c.path}`,
  shell(c) {
    const commit: string[] = [];
    if (c.owner || c.group) {
      const who = `${c.owner ?? ''}${c.group ? `:${c.group}` : ''}`;
      commit.push(
        `chown -h ${quote(who)} -- ${quote(c.path)} || fail ${quote(`cannot chown ${c.path}`)}`,
      );
    }
    if (c.mode)
      commit.push(`chmod ${c.mode} -- ${quote(c.path)} || fail ${quote(`cannot chmod ${c.path}`)}`);
    return { prepare: [], commit };
  },
  simulate(c, s) {
    const f = s.files.get(c.path) ?? s.dirs.get(c.path);
    if (!f) throw new SimulatedFailure(`cannot chmod ${c.path}`, 1);
    if (c.mode) f.mode = c.mode;
    if (c.owner) f.owner = c.owner;
    if (c.group) f.group = c.group;
    s.log.push(`attributes ${c.path}`);
  },
  entry: (c) => ({
    kind: 'attributes',
    action: 'set',
    path: c.path,
    reason: [
      c.mode && `mode is ${c.before.mode}, wanted ${c.mode}`,
      c.owner && `owner is ${c.before.owner}, wanted ${c.owner}`,
      c.group && `group is ${c.before.group}, wanted ${c.group}`,
    ]
      .filter(Boolean)
      .join('; '),
  }),
};
