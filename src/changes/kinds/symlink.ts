/** `symlink`: a link made beside its place and renamed over it, so it never is missing. */
import { quote } from '../../core/shell';
import type { ChangeKind } from './kind';
import { baseOf, commitOnly, dirOf } from './shell-steps';

export const symlinkKind: ChangeKind<'symlink'> = {
  kind: 'symlink',
  describe: (c) => `link ${c.path} -> ${c.target}${c.label ? ` (${c.label})` : ''}`,
  shell(c) {
    const tmp = `${dirOf(c.path)}/.${baseOf(c.path)}.foobar-link`;
    return commitOnly(
      `rm -f -- ${quote(tmp)}; ln -s -- ${quote(c.target)} ${quote(tmp)} && mv -Tf -- ${quote(tmp)} ${quote(c.path)} || fail ${quote(`cannot link ${c.path}`)}`,
    );
  },
  simulate(c, s) {
    s.links.set(c.path, c.target);
    s.log.push(`symlink ${c.path}`);
  },
  entry: (c) => ({
    kind: 'link',
    action: c.before.exists ? 'update' : 'create',
    path: c.path,
    reason: c.before.exists
      ? `it points to ${c.before.linkTarget ?? `a ${c.before.type ?? 'file'}`}`
      : 'the link is absent',
  }),
};
