import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../core/errors';
import type { Redactor } from '../core/redact';

/**
 * Writes an output file beside its target, then renames it over the target:
 * never a half-written file. The text is redacted first. A file that cannot
 * be written is a usage error naming the option that gave it.
 */
export function writeAtomically(
  file: string,
  text: string,
  redactor: Redactor,
  option = '--out',
): void {
  const target = path.resolve(file);
  const temp = `${target}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temp, redactor.redact(text), { mode: 0o644 });
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw new UsageError(
      `${option} ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}
