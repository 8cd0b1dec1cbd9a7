/** `mkdir`: a directory, with its missing parents, owner and mode. */
import { quote } from '../../core/shell';
import type { ChangeKind } from './kind';
import { commitOnly } from './shell-steps';

export const mkdirKind: ChangeKind<'mkdir'> = {
  kind: 'mkdir',
  describe: (c) => `create directory ${c.path}`,
  shell: (c) =>
    commitOnly(
      // A link in its place is never followed: chown and chmod would act on its target.
      `if [ -L ${quote(c.path)} ]; then fail ${quote(`${c.path} is a symbolic link, not a directory`)}; fi; mkdir -p -- ${quote(c.path)} && chown ${quote(`${c.owner}:${c.group}`)} -- ${quote(c.path)} && chmod ${c.mode} -- ${quote(c.path)} || fail ${quote(`cannot create directory ${c.path}`)}`,
    ),
  simulate(c, s) {
    const parts = c.path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const p = `/${parts.slice(0, i).join('/')}`;
      if (!s.dirs.has(p)) s.dirs.set(p, { mode: c.mode, owner: c.owner, group: c.group });
    }
    s.log.push(`mkdir ${c.path}`);
  },
  entry: (c) => ({
    kind: 'directory',
    action: 'create',
    path: c.path,
    reason: 'the directory is absent',
  }),
};
