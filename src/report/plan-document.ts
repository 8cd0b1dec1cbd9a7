import type { EngineEvent } from '../engine/events';
import { changeKind } from '../changes/kinds';
import type { Change } from '../changes/model';
import {
  PLAN_FORMAT_VERSION,
  type PlanChange,
  type PlanDiff,
  type PlanDocument,
  type PlanHost,
  type PlanValidation,
} from './plan-schema';

export interface PlanMeta {
  toolVersion: string;
  mode: 'live' | 'offline';
  inventory: string;
  playbook: string;
  against?: string;
}

interface FileDetail {
  task: string;
  path: string;
  diff?: PlanDiff;
  validation?: PlanValidation;
}

/**
 * Builds the plan document from the events of a dry run. Hosts appear in the
 * order given to `document()` (the inventory's), whatever order they finished in.
 */
export class PlanCollector {
  private readonly hosts = new Map<string, PlanHost>();
  private readonly details = new Map<string, FileDetail[]>();
  private timings: PlanDocument['timings'];

  readonly emit = (event: EngineEvent): void => {
    switch (event.type) {
      case 'play':
        for (const h of event.hosts) this.host(h);
        return;
      case 'unreachable': {
        const h = this.host(event.host);
        h.status = 'unreachable';
        h.error = event.error;
        return;
      }
      case 'diff':
        this.detail(event.host, event.task, event.path).diff = {
          created: event.created,
          hunks: event.hunks,
          masked: event.masked,
        };
        return;
      case 'validation':
        this.detail(event.host, event.task, event.path).validation = validationEntry(event.result);
        return;
      case 'task': {
        const h = this.host(event.host);
        const details = (this.details.get(event.host) ?? []).filter((d) => d.task === event.task);
        this.details.set(
          event.host,
          (this.details.get(event.host) ?? []).filter((d) => d.task !== event.task),
        );
        if (event.status === 'changed' || event.status === 'failed') {
          for (const change of event.changes) {
            const entry = changeEntry(change, event.play, event.task, event.handler);
            const d = 'path' in change ? details.find((x) => x.path === change.path) : undefined;
            if (d?.diff) entry.diff = d.diff;
            if (d?.validation) entry.validation = d.validation;
            h.changes.push(entry);
          }
        }
        if (event.status === 'failed') {
          h.failures.push({
            play: event.play,
            task: event.task,
            handler: event.handler,
            message: event.error ?? 'failed',
          });
        }
        return;
      }
      case 'recap':
        for (const h of Object.keys(event.hosts)) this.host(h);
        return;
      case 'timings':
        this.timings = event.hosts;
        return;
      default:
        return;
    }
  };

  /** The document, hosts in the given order (any others after them). */
  document(meta: PlanMeta, order: readonly string[]): PlanDocument {
    const rank = new Map(order.map((h, i) => [h, i]));
    const hosts = [...this.hosts.values()].sort(
      (a, b) => (rank.get(a.name) ?? order.length) - (rank.get(b.name) ?? order.length),
    );
    const doc = finishDocument(meta, hosts);
    if (this.timings) doc.timings = this.timings;
    return doc;
  }

  private host(name: string): PlanHost {
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, status: 'converged', changes: [], failures: [] };
      this.hosts.set(name, h);
    }
    return h;
  }

  private detail(host: string, task: string, path: string): FileDetail {
    const list = this.details.get(host) ?? [];
    this.details.set(host, list);
    let d = list.find((x) => x.task === task && x.path === path);
    if (!d) {
      d = { task, path };
      list.push(d);
    }
    return d;
  }
}

/**
 * Completes a document from its hosts: each host's status, the groups of
 * hosts with identical changes, the summary, and the exit code
 * (0 converged, 2 changes pending, 1 when anything failed or was unreachable).
 */
export function finishDocument(meta: PlanMeta, hosts: PlanHost[]): PlanDocument {
  for (const h of hosts) {
    if (h.status === 'unreachable') continue;
    h.status = h.failures.length ? 'failed' : h.changes.length ? 'changes' : 'converged';
  }
  const groups = new Map<string, string[]>();
  for (const h of hosts) {
    if (h.status !== 'changes') continue;
    const key = JSON.stringify(h.changes);
    groups.set(key, [...(groups.get(key) ?? []), h.name]);
  }
  const count = (s: PlanHost['status']) => hosts.filter((h) => h.status === s).length;
  const validations = hosts.flatMap((h) => h.changes.flatMap((c) => c.validation ?? []));
  const failed = count('failed');
  const unreachable = count('unreachable');
  const changed = count('changes');
  const status = failed || unreachable ? 'error' : changed ? 'changes' : 'converged';
  return {
    version: PLAN_FORMAT_VERSION,
    tool: { name: 'foobar-infra', version: meta.toolVersion },
    mode: meta.mode,
    inventory: meta.inventory,
    playbook: meta.playbook,
    ...(meta.against !== undefined ? { against: meta.against } : {}),
    status,
    exitCode: status === 'error' ? 1 : status === 'changes' ? 2 : 0,
    hosts,
    groups: [...groups.values()].map((names) => ({ hosts: names })),
    summary: {
      hosts: hosts.length,
      converged: count('converged'),
      changed,
      failed,
      unreachable,
      changes: hosts.reduce((n, h) => n + h.changes.length, 0),
      validations: {
        passed: validations.filter((v) => v.status === 'passed').length,
        failed: validations.filter((v) => v.status === 'failed').length,
        unavailable: validations.filter((v) => v.status === 'unavailable').length,
      },
    },
  };
}

function validationEntry(
  r: Extract<EngineEvent, { type: 'validation' }>['result'],
): PlanValidation {
  switch (r.status) {
    case 'passed':
      return { status: 'passed', command: r.command };
    case 'failed':
      return { status: 'failed', command: r.command, exitCode: r.exitCode, output: r.output };
    case 'unavailable':
      return { status: 'unavailable', command: r.command, program: r.program };
  }
}

/** A change as the plan shows it: kind, action, what it touches and why. */
export function changeEntry(
  change: Change,
  play: string,
  task: string,
  handler: boolean,
): PlanChange {
  const kind = changeKind(change);
  return {
    play,
    task,
    handler,
    summary: kind.describe(change),
    ...kind.entry(change, { handler }),
  };
}
