import { MASK } from '../core/redact';
import { sqlString } from './sql-string';

/** A statement that holds a secret, and the same statement with the secret masked. */
export interface SecretSql {
  sql: string;
  /** `sql` with the secret's literal replaced by `'********'`: safe to print or log. */
  redacted: string;
}

/**
 * Builds a statement twice from one template: once with the secret's literal,
 * once with the mask's. Nothing is searched and replaced, so a secret that also
 * appears elsewhere in the text (a password equal to the user name) cannot leak
 * or mangle the rest.
 */
export function withSecret(secret: string, build: (literal: string) => string): SecretSql {
  return { sql: build(sqlString(secret)), redacted: build(sqlString(MASK)) };
}
