import { Redactor } from '../../src/core/redact';
import type { EngineEvent } from '../../src/engine/events';
import type { HostDriver } from '../../src/engine/host-driver';
import type { Project } from '../../src/engine/project';
import { runPlaybook, type RunResult } from '../../src/engine/runner';
import { resolveSecrets } from '../../src/engine/secrets';
import { VaultStore } from '../../src/vault/vault-store';

/** These projects hold no vault reference: a vault opened here is a bug of the test. */
const noVaults = new VaultStore(() => Promise.reject(new Error('no vault in this test')));

export type TaskEvent = Extract<EngineEvent, { type: 'task' }>;

/** A playbook run over in-memory hosts (`connect` gives each host's driver), with its events. */
export async function runInMemory(
  project: Project,
  connect: (host: string) => Promise<HostDriver>,
  options: { check?: boolean; tags?: string[]; forks?: number } = {},
): Promise<{ result: RunResult; events: EngineEvent[]; tasks: TaskEvent[] }> {
  const events: EngineEvent[] = [];
  const result = await runPlaybook({
    project,
    secret: await resolveSecrets(project, [], new Redactor(), noVaults),
    redact: (text) => text,
    connect,
    emit: (e) => events.push(e),
    check: options.check ?? false,
    diff: false,
    tags: options.tags,
    forks: options.forks ?? 10,
  });
  const tasks = events.filter((e): e is TaskEvent => e.type === 'task');
  return { result, events, tasks };
}
