import type { Diagnostic } from './errors';

/** Validation returns problems as values: errors stop the run, warnings do not. */
export interface Checked<T> {
  value: T | undefined;
  diagnostics: Diagnostic[];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
