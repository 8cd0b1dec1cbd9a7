/** `command`: an argv, or a shell script run through `eval` (never in a process's argv). */
import { quote, quoteArgv } from '../../core/shell';
import type { ChangeOf } from '../model';
import type { ChangeKind } from './kind';
import { commitOnly } from './shell-steps';

/** What a command change is called in output: its label, or its command text. */
export function commandText(change: ChangeOf<'command'>): string {
  return change.label ?? change.script ?? change.argv!.join(' ');
}

export const commandKind: ChangeKind<'command'> = {
  kind: 'command',
  describe: (c) => `run ${commandText(c)} (${c.reason})`,
  shell(c) {
    // A shell command line runs through `eval` in a subshell, not `sh -c`: its
    // text (which may hold a rendered secret) never becomes a process's argv.
    const run = c.argv ? quoteArgv(c.argv) : `set +u; eval ${quote(c.script!)}`;
    const cd = c.chdir ? `cd ${quote(c.chdir)} && ` : '';
    return commitOnly(
      `( ${cd}${run} ) </dev/null || fail ${quote(`command failed: ${commandText(c)}`)} $?`,
    );
  },
  simulate(c, s) {
    s.log.push(`command ${commandText(c)}`);
  },
  entry: (c) => ({ kind: 'command', action: 'run', reason: c.reason }),
};
