/**
 * `write`: a file's whole content. Written to a temp file beside its
 * destination, synced, given its owner and mode, validated, then renamed over
 * the destination: the destination holds the old or the new content, never a
 * mix. An activated write (a firewall ruleset) is loaded and armed to revert
 * instead (engine/activation-script.ts).
 */
import { quote } from '../../core/shell';
import { armCommands } from '../../engine/activation-script';
import { validatorProgram } from '../../engine/inspect-script';
import { SimulatedFailure, type MemoryHost } from '../../facts/memory-host';
import type { ChangeOf } from '../model';
import type { ChangeKind, ShellSteps } from './kind';
import { VALIDATION_FAILED, baseOf, dirOf, globEscape } from './shell-steps';

type Write = ChangeOf<'write'>;

const UNITS_DIR = '/etc/systemd/system/';

export const writeKind: ChangeKind<'write'> = {
  kind: 'write',
  describe: (c) =>
    `${c.before.exists ? 'update' : 'create'} ${c.path}${c.activate ? ` (load it, then confirm over a new connection or it reverts in ${c.activate.revertAfterSeconds} s)` : ''}`,
  shell: (c, payloads) => {
    payloads.push(c.content);
    const prepare = prepareSteps(c);
    if (c.activate) return { prepare, commit: armCommands(c) };
    return { prepare, commit: swapSteps(c) };
  },
  simulate,
  entry: (c) => ({
    kind: 'file',
    action: c.before.exists ? 'update' : 'create',
    path: c.path,
    reason: !c.before.exists
      ? 'the file is absent'
      : c.before.type !== 'file'
        ? `a ${c.before.type ?? 'non-file'} is in its place`
        : 'its content differs',
  }),
};

/** The candidate beside its destination, complete, synced and validated. */
function prepareSteps(c: Write): ShellSteps['prepare'] {
  const steps = [
    // A temp file left by a run cut off mid-upload (the run lock means no other
    // run is writing it) goes before a new one is made.
    `find ${quote(dirOf(c.path))} -maxdepth 1 -type f -name ${quote(`.${globEscape(baseOf(c.path))}.foobar-??????`)} -delete 2>/dev/null`,
    `fb_tmp=$(mktemp ${quote(`${dirOf(c.path)}/.${baseOf(c.path)}.foobar-XXXXXX`)}) || fail ${quote(`cannot create a temp file beside ${c.path}`)}`,
    `dd of="$fb_tmp" bs=65536 count=${c.content.length} iflag=count_bytes,fullblock status=none || fail ${quote(`cannot write ${c.path}`)}`,
    `[ "$(stat -c %s -- "$fb_tmp")" = ${c.content.length} ] || fail ${quote(`short write to ${c.path} (disk full?)`)}`,
    `chown ${quote(`${c.owner}:${c.group}`)} "$fb_tmp" && chmod ${c.mode} "$fb_tmp" || fail ${quote(`cannot set owner/mode of ${c.path}`)}`,
    `sync "$fb_tmp" || fail ${quote(`cannot sync ${c.path} (disk full?)`)}`,
  ];
  if (c.validate) {
    const command = c.validate.split('%s').join('"$fb_tmp"');
    steps.push(
      // stdin holds the next files' contents: only dd reads it.
      `fb_out=$( { ${command}; } </dev/null 2>&1 ) || { printf '%s\\n' "$fb_out" | head -n 40 >&2; exit ${VALIDATION_FAILED}; }`,
    );
  }
  return steps;
}

/** The candidate takes the destination's place (after a dated backup, if asked). */
function swapSteps(c: Write): string[] {
  const dest = quote(c.path);
  const steps: string[] = [];
  if (c.backup && c.before.exists) {
    steps.push(
      `cp -p -- ${dest} ${dest}.$(date +%Y%m%dT%H%M%S).bak || fail ${quote(`cannot back up ${c.path}`)}`,
    );
  }
  steps.push(
    // -T: a link in the file's place is replaced, not followed; a folder
    // there (made since the plan) fails the swap instead of taking the file in.
    `mv -Tf -- "$fb_tmp" ${dest} || fail ${quote(`cannot replace ${c.path}`)}`,
    'fb_tmp=""',
    `sync ${quote(dirOf(c.path))} 2>/dev/null || true`,
  );
  return steps;
}

function simulate(c: Write, s: MemoryHost): void {
  if (!s.dirs.has(dirOf(c.path)))
    throw new SimulatedFailure(`cannot create a temp file beside ${c.path}`, 1);
  if (c.validate) {
    const check = s.validators.get(validatorProgram(c.validate) ?? c.validate);
    const error = check?.(c.content.toString('utf8'));
    if (error) throw new SimulatedFailure(error, VALIDATION_FAILED, true);
  }
  if (s.dirs.has(c.path)) throw new SimulatedFailure(`cannot replace ${c.path}`, 1);
  const file = { content: c.content, mode: c.mode, owner: c.owner, group: c.group };
  if (c.activate) {
    s.armed = { path: c.path, file };
    s.log.push(`load ${c.path}`);
    return;
  }
  s.files.set(c.path, file);
  s.log.push(`write ${c.path}`);
  // systemd sees a changed unit file only after a daemon-reload.
  if (c.path.startsWith(UNITS_DIR)) {
    const name = c.path.slice(UNITS_DIR.length);
    const unit = s.units.get(name);
    if (unit) unit.needDaemonReload = true;
    else s.units.set(name, { active: false, enabled: false, needDaemonReload: true });
  }
}
