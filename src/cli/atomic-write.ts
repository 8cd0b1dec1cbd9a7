import { replaceFile } from '../core/atomic-file';
import { UsageError } from '../core/errors';
import type { Redactor } from '../core/redact';

/**
 * Writes an output file atomically (replaceFile): never a half-written file.
 * The text is redacted first. Mode 600 unless told otherwise: a plan names
 * hosts, accounts and file contents. A file that cannot be written is a
 * usage error naming the option that gave it.
 */
export function writeAtomically(
  file: string,
  text: string,
  redactor: Redactor,
  options: { option?: string; mode?: number } = {},
): void {
  const option = options.option ?? '--out';
  try {
    replaceFile(file, redactor.redact(text), options.mode ?? 0o600);
  } catch (error) {
    throw new UsageError(
      `${option} ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}
