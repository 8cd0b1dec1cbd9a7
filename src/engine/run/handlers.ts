import type { Play } from '../../playbook/model';
import type { PlayExpander } from '../expand';
import type { HostDriver } from '../host-driver';
import { requestsOf } from './fact-cache';
import { planTask } from './plan-task';
import type { RunContext } from './options';

/** Handler bookkeeping of one host's play: recorded on the host, and to run at its end. */
export interface HandlerQueue {
  recorded: Set<string>;
  queued: Set<string>;
}

/**
 * A host's notified handlers (or those an earlier run left pending), once
 * each, in definition order; each clears its record on the host as it runs.
 */
export async function runHandlers(
  run: RunContext,
  play: Play,
  expander: PlayExpander,
  host: string,
  driver: HostDriver,
  queued: Set<string>,
  vars: Record<string, unknown>,
): Promise<void> {
  for (const handler of play.handlers) {
    if (!queued.has(handler.name) || run.aborted()) continue;
    try {
      const t = expander.prepare(handler, host, vars);
      if (t.skipped) {
        run.record.report(host, handler, 'skipped', [], true);
        continue;
      }
      run.started(host, t, true);
      const { facts } = await driver.gather(requestsOf([t]));
      const changes = await planTask(run, driver, host, t, facts);
      if (!run.options.check) {
        run.facts.changed();
        await driver.execute(changes, { clear: [{ play: play.name, handler: handler.name }] });
      }
      run.record.report(host, handler, 'changed', changes, true);
    } catch (error) {
      run.record.lost(host, handler, error, true);
      return;
    }
  }
}
