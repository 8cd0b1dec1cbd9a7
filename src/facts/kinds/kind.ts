/**
 * What a kind of fact is, in one object: the key of a request, the shell
 * commands that print the fact, the pure parser of their output, and its
 * simulation on an in-memory host (facts/memory-host.ts). Each
 * kind has a file of its own beside this one; index.ts joins them in a
 * registry, through which factKey, factCommand and parseFact dispatch.
 */
import { FoobarError } from '../../core/errors';
import type { MemoryHost } from '../memory-host';
import type { Fact, FactRequest } from '../model';

export type FactKindName = FactRequest['kind'];
export type FactRequestOf<K extends FactKindName> = Extract<FactRequest, { kind: K }>;
export type FactOf<K extends FactKindName> = Extract<Fact, { kind: K }>;

export interface FactKind<K extends FactKindName> {
  readonly kind: K;
  /** What the fact is, in a few words (the module reference lists what each module reads). */
  readonly summary: string;
  /** A stable key: the same request from two tasks is gathered once. */
  key(request: FactRequestOf<K>): string;
  /**
   * The shell commands that print the fact in a section of its own. Absent
   * for a kind gathered only in a shared section (sql: one client session
   * per login); `noCommand` then says so.
   */
  command?(request: FactRequestOf<K>): string;
  /** Without a command: the error that asking for one raises. */
  noCommand?: string;
  /** Reads the command's output (a section's body). Pure; what it cannot read is a FactParseError. */
  parse(request: FactRequestOf<K>, text: string): FactOf<K>;
  /** The fact as a simulated host (the in-memory driver's) answers it. */
  simulate(request: FactRequestOf<K>, host: MemoryHost): FactOf<K>;
}

/** A host's answer to the gather script that cannot be read: never guessed at. */
export class FactParseError extends FoobarError {
  readonly kind = 'facts';
}

/** A mode as `stat` or `find` prints it (e.g. "644"), as four octal digits. */
export const octal = (mode: string) => mode.padStart(4, '0');

/** The output's first line, and what follows it (empty when there is no newline). */
export function splitHead(text: string): { head: string; body: string } {
  const nl = text.indexOf('\n');
  return { head: nl < 0 ? text : text.slice(0, nl), body: nl < 0 ? '' : text.slice(nl + 1) };
}
