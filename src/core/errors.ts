/**
 * Typed errors. Every failure the tool reports to a user is one of these; the
 * CLI maps them to exit codes in one place (src/cli/exit-codes.ts).
 */

/** A position in a source file, 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** One problem found in an input file: reported as `file:line:col: field: message`. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  file: string;
  line?: number;
  col?: number;
  /** Dotted path of the field, e.g. `all.children.web.hosts.web-01.server_id`. */
  field?: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file, d.line, d.col].filter((p) => p !== undefined).join(':');
  const field = d.field ? ` ${d.field}:` : '';
  const level = d.severity === 'warning' ? ' warning:' : '';
  return `${where}:${level}${field} ${d.message}`;
}

export abstract class FoobarError extends Error {
  abstract readonly kind: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad inventory or playbook: carries every diagnostic, not just the first. */
export class InputError extends FoobarError {
  readonly kind = 'input';
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
  }
}

/** A template that does not render: names the template and the line. */
export class TemplateError extends FoobarError {
  readonly kind = 'template';
  constructor(
    readonly template: string,
    readonly line: number | undefined,
    readonly detail: string,
    readonly host?: string,
  ) {
    // An empty template: a task's own input (e.g. a copy source), named by the caller.
    super(
      `${template ? `${template}${line !== undefined ? `:${line}` : ''}: ` : ''}${detail}${host ? ` (rendering for host ${host})` : ''}`,
    );
  }
}

/** Bad command-line usage. */
export class UsageError extends FoobarError {
  readonly kind = 'usage';
}

/** The local machine cannot do what was asked (missing root, packages, ...). */
export class EnvironmentError extends FoobarError {
  readonly kind = 'environment';
  constructor(
    message: string,
    readonly step?: string,
  ) {
    super(step ? `${step}: ${message}` : message);
  }
}

/** SSH could not reach or authenticate a host. */
export class TransportError extends FoobarError {
  readonly kind = 'transport';
  constructor(
    readonly host: string,
    readonly step: string,
    detail: string,
  ) {
    super(`${host}: ${step}: ${detail}`);
  }
}

/** A remote command exited non-zero. `stderr` must already be redacted. */
export class CommandFailed extends FoobarError {
  readonly kind = 'command';
  constructor(
    readonly host: string,
    readonly argv: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      `${host}: command failed (exit ${exitCode ?? 'signal'}): ${argv}${stderr ? `\n${stderr}` : ''}`,
    );
  }
}

/** Another foobar-infra run holds a host's lock. */
export class LockError extends FoobarError {
  readonly kind = 'lock';
  constructor(
    readonly host: string,
    readonly holders: string[],
  ) {
    super(
      `${host}: another foobar-infra run holds this host's lock (${holders.join('; ')}); it is freed when that run ends or its connection drops. Retry later, or wait with --lock-timeout SECONDS`,
    );
  }
}

/** The run was stopped by SIGINT/SIGTERM before it finished. */
export class Interrupted extends FoobarError {
  readonly kind = 'interrupted';
  constructor() {
    super('interrupted before the run finished');
  }
}

/** A command refused to act, with the reason (e.g. promoting a replica that is broken). */
export class Refused extends FoobarError {
  readonly kind = 'refused';
}

/**
 * A vault file could not be opened: no password was given, the password is
 * wrong, or the file is tampered with, corrupt, or not a vault this version
 * reads. Names the file, and the line when one is at fault.
 */
export class VaultError extends FoobarError {
  readonly kind = 'vault';
  constructor(
    readonly reason: 'no-password' | 'wrong-password' | 'tampered' | 'format',
    readonly file: string,
    readonly detail: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${detail}`);
  }
}

/** A bug in foobar-infra itself. */
export class InternalError extends FoobarError {
  readonly kind = 'internal';
}
