/** What one host's play does with its `rollout:` gate: made, taken over, used, settled. */
import type { Play } from '../../playbook/model';
import type { PlayExpander } from '../expand';
import type { HostDriver } from '../host-driver';
import { RolloutError } from './balancer';
import type { RunContext } from './options';
import { RolloutGate } from './rollout';
import { rolloutFor } from './rollout-spec';

/**
 * The play's health gate on the host (outside a dry run), undefined without
 * `rollout:`, null when it does not render for the host (reported failed).
 */
export function gateFor(
  run: RunContext,
  play: Play,
  expander: PlayExpander,
  host: string,
  driver: HostDriver,
  vars: Record<string, unknown>,
): RolloutGate | undefined | null {
  if (!play.rollout || run.options.check) return undefined;
  try {
    const spec = rolloutFor(
      play,
      host,
      vars,
      expander.templates,
      run.options.project.playbook.file,
    );
    return spec && new RolloutGate(run, play.name, host, driver, spec);
  } catch (error) {
    run.record.fail(host, { name: 'rollout' }, error);
    return null;
  }
}

/** After the host's handlers: its health gate, and what it did, in the recap. */
export async function settleGate(
  run: RunContext,
  host: string,
  gate: RolloutGate,
  handlers: (queued: Set<string>) => Promise<void>,
): Promise<void> {
  if (run.record.unreachable.has(host)) return;
  const task = { name: 'rollout health gate' };
  try {
    const r = await run.record.timed(host, 'handlers', () =>
      gate.settle(run.record.failed.has(host), handlers),
    );
    if (!r) return;
    if (!run.record.failed.has(host)) run.record.fail(host, task, new RolloutError(r.problem));
    if (r.outcome) run.record.outcome(host, r.outcome);
  } catch (error) {
    gateFailed(run, host, task, error);
  }
}

/**
 * A gate step failed: a balancer's trouble (RolloutError, whatever its text
 * says) fails the host; only the host's own lost connection makes it unreachable.
 */
function gateFailed(run: RunContext, host: string, task: { name: string }, error: unknown): void {
  if (error instanceof RolloutError) run.record.fail(host, task, error);
  else run.record.lost(host, task, error);
}

/**
 * One step of the gate before the host's work goes on (its drain before the
 * first change, or taking over a drain an earlier run left); false when it
 * failed (reported, under `name`).
 */
export async function gateStep(
  run: RunContext,
  host: string,
  name: string,
  step: () => Promise<void>,
): Promise<boolean> {
  try {
    await step();
    return true;
  } catch (error) {
    gateFailed(run, host, { name }, error);
    return false;
  }
}
