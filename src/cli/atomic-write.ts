import { replaceFile } from '../core/atomic-file';
import { UsageError } from '../core/errors';
import type { Redactor } from '../core/redact';

/**
 * Writes an output file atomically (replaceFile, mode 644): never a
 * half-written file. The text is redacted first. A file that cannot
 * be written is a usage error naming the option that gave it.
 */
export function writeAtomically(
  file: string,
  text: string,
  redactor: Redactor,
  option = '--out',
): void {
  try {
    replaceFile(file, redactor.redact(text), 0o644);
  } catch (error) {
    throw new UsageError(
      `${option} ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}
