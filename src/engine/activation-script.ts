import { quote } from '../core/shell';
import type { Change } from '../changes/model';

/**
 * Confirm-or-revert for a firewall ruleset. Pure: shell text only.
 *
 * The change script (see change-script.ts) validates the candidate with
 * `nft -c -f`, saves the running ruleset, arms a systemd timer that restores
 * it, and only then loads the candidate, atomically (`nft -f` is one
 * transaction). The destination (/etc/nftables.conf, what boot loads) still
 * holds the old ruleset. The tool then opens a NEW SSH connection and runs
 * the confirm script: it claims the pending state, stops the timer and puts
 * the candidate in place. If no new connection gets through, the timer fires
 * and the host restores the old ruleset by itself; a reboot before the
 * confirmation loads the old file too.
 *
 * Claiming is a rename of the `pending` file, so the timer and the confirm
 * step can never both win.
 */
export const ACTIVATION_DIR = '/var/lib/foobar-infra/firewall';
export const REVERT_UNIT = 'foobar-infra-firewall-revert';
/** Printed by the confirm script when it won; anything else means the host reverted. */
export const CONFIRMED = '@@fb-firewall-confirmed';

type WriteChange = Extract<Change, { kind: 'write' }>;

const dir = quote(ACTIVATION_DIR);
const unit = REVERT_UNIT;

/**
 * Runs on the host from the timer: restore the saved ruleset unless the
 * confirm step claimed the pending state first. The candidate file is removed.
 */
const REVERT_SCRIPT = [
  '#!/bin/sh',
  '# Written by foobar-infra: restores the previous firewall ruleset when a new',
  '# one was not confirmed in time.',
  `cd ${dir} || exit 1`,
  'mv pending reverting 2>/dev/null || exit 0',
  'nft -f rollback.nft',
  'rc=$?',
  'cand=$(cat reverting)',
  'rm -f -- "$cand" reverting',
  'logger -t foobar-infra "firewall: the new ruleset was not confirmed in time; the previous one is back (nft exit $rc)" 2>/dev/null',
  'exit $rc',
].join('\n');

/**
 * The commit steps of an activated write, in place of the rename: `$fb_tmp`
 * holds the validated candidate. A run that died before confirming (its
 * timer still armed) is reverted first: an unconfirmed ruleset never stays.
 */
export function armCommands(change: WriteChange): string[] {
  const after = change.activate!.revertAfterSeconds;
  const fail = (what: string) => `fail ${quote(what)}`;
  return [
    `mkdir -p -m 0700 ${dir} || ${fail(`cannot create ${ACTIVATION_DIR}`)}`,
    `if [ -e ${dir}/pending ]; then systemctl stop ${unit}.timer 2>/dev/null; sh ${dir}/revert || ${fail('cannot revert the unconfirmed ruleset of an earlier run')}; fi`,
    `systemctl stop ${unit}.timer ${unit}.service 2>/dev/null; systemctl reset-failed ${unit}.timer ${unit}.service 2>/dev/null`,
    `{ echo 'flush ruleset'; nft -s list ruleset; } > ${dir}/rollback.nft.new && mv -f ${dir}/rollback.nft.new ${dir}/rollback.nft || ${fail('cannot save the running ruleset')}`,
    `printf '%s\\n' ${quote(REVERT_SCRIPT)} > ${dir}/revert || ${fail('cannot write the revert script')}`,
    `printf '%s\\n' "$fb_tmp" > ${dir}/pending && sync ${dir}/pending ${dir}/rollback.nft 2>/dev/null || ${fail('cannot record the pending ruleset')}`,
    `fb_out=$(systemd-run --quiet --unit=${unit} --on-active=${after}s --timer-property=AccuracySec=1s /bin/sh ${dir}/revert 2>&1) || { printf '%s\\n' "$fb_out" >&2; rm -f ${dir}/pending; ${fail('cannot arm the revert timer (systemd-run)')}; }`,
    // One transaction: all of the new ruleset, or (on error) the old one untouched.
    `fb_out=$(nft -f "$fb_tmp" </dev/null 2>&1) || { printf '%s\\n' "$fb_out" | head -n 40 >&2; systemctl stop ${unit}.timer 2>/dev/null; sh ${dir}/revert; ${fail(`nft -f ${change.path} failed: the previous ruleset is back`)}; }`,
    // The candidate now belongs to the confirm step (or the timer).
    'fb_tmp=""',
  ];
}

/** Run over a new SSH connection: claims the pending ruleset, stops the timer, installs the file. */
export function confirmScript(change: WriteChange): string {
  const dest = quote(change.path);
  return [
    'set -u',
    `cd ${dir} || exit 3`,
    'mv pending confirming 2>/dev/null || { echo "the host already restored the previous ruleset" >&2; exit 4; }',
    `systemctl stop ${unit}.timer 2>/dev/null; systemctl reset-failed ${unit}.timer ${unit}.service 2>/dev/null`,
    'cand=$(cat confirming)',
    `mv -f -- "$cand" ${dest} || { echo ${quote(`cannot move the confirmed ruleset to ${change.path}`)} >&2; exit 1; }`,
    `sync ${dest} 2>/dev/null; rm -f confirming rollback.nft`,
    `echo ${CONFIRMED}`,
    '',
  ].join('\n');
}
