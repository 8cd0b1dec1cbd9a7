import { maskedFileDiff } from '../../core/secret-diff';
import type { Change } from '../../changes/model';
import type { Task } from '../../playbook/model';
import type { HostDriver } from '../host-driver';
import type { RunContext } from './options';

export type WriteChange = Extract<Change, { kind: 'write' }>;

/**
 * For a task's file writes: with --diff, emits each file's diff (secrets
 * masked); in a dry run, validates each candidate on the host (in a private
 * temp folder) and returns the refusal, if any. One round trip at most.
 */
export async function inspectFiles(
  run: RunContext,
  driver: HostDriver,
  host: string,
  task: Task,
  changes: Change[],
): Promise<string | undefined> {
  const { check, diff, redact, emit } = run.options;
  const writes = changes.filter((c): c is WriteChange => c.kind === 'write');
  const validate = check && writes.some((w) => w.validate);
  if (writes.length === 0 || (!diff && !validate)) return undefined;
  const inspections = await run.record.timed(host, 'plan', () =>
    driver.inspect(writes, { before: diff, validate }),
  );
  let refused: string | undefined;
  writes.forEach((w, i) => {
    const r = inspections[i]!;
    if (diff) {
      const { hunks, masked } = maskedFileDiff(r.before, w.content, redact, w.conceal);
      emit({
        type: 'diff',
        host,
        task: task.name,
        path: w.path,
        created: !w.before.exists,
        hunks,
        masked,
      });
    }
    if (r.validation) {
      emit({ type: 'validation', host, task: task.name, path: w.path, result: r.validation });
      if (r.validation.status === 'failed')
        refused ??= `${w.path}: the candidate failed \`${r.validation.command}\` (exit ${r.validation.exitCode}); nothing was changed:\n${r.validation.output}`;
    }
  });
  return refused;
}
