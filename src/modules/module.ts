import type { z } from 'zod';
import type { FactRequest } from '../facts/types';
import type { TemplateEngine } from '../render/template-engine';
import type { Change } from '../changes/model';
import type { FactView } from './fact-view';

/** A file a task places on a host, as the render and diff commands see it. */
export interface DesiredFile {
  path: string;
  content: Buffer;
  mode?: string;
  owner?: string;
  group?: string;
  /** A check that needs nothing of the host (%s: the file): `validate` runs it on the controller too. */
  validate?: string;
}

/** What a module sees of the run while it works for one host. */
export interface ModuleContext {
  host: string;
  /** The host's variables (secrets resolved or masked). */
  vars: Record<string, unknown>;
  templates: TemplateEngine;
  /** Folder `copy` sources are read from (playbooks/files). */
  filesDir: string;
  /** True when text holds a secret value of the run (output masks such values). */
  containsSecret(text: string): boolean;
}

/** Facts a task reads on another host of the run. */
export interface PeerRequest {
  host: string;
  requests: FactRequest[];
}

/** The facts gathered on other hosts (`peers()`), by host name. */
export type PeerFacts = ReadonlyMap<string, FactView>;

/** What the module reference (docs/modules.md) shows beyond the argument schema. */
export interface ModuleDocs {
  /** Every kind of fact `facts()` may ask for (a test holds `facts()` to it). */
  reads: readonly FactRequest['kind'][];
  /** What a dry run (`apply --check`, `diff`) reports for this module. */
  dryRun: string;
  /** A short example task: its name and arguments (a test parses them with `args`). */
  example: { name: string; args: Record<string, unknown> };
}

/**
 * A task type. Its arguments are a zod schema (which also generates the docs);
 * the engine asks it for the facts it needs and for a pure plan from them.
 */
export interface ModuleDefinition<A = Record<string, unknown>> {
  name: string;
  summary: string;
  args: z.ZodType<A>;
  /**
   * Its changes can take seconds or minutes (installing packages, seeding a
   * database): the live progress view shows a spinner while it works.
   */
  long?: boolean;
  /** The facts its plan reads; gathered in one batch with every other task's. */
  facts(args: A, ctx: ModuleContext): FactRequest[];
  /**
   * Facts its plan reads only in some states, decided from those of `facts()`
   * (a replica asks its source only when its own state leaves a doubt):
   * gathered in one more remote command before `plan`, only when any.
   */
  moreFacts?(args: A, facts: FactView, ctx: ModuleContext): FactRequest[];
  /**
   * Starts work its plan will need that depends on the arguments alone (a
   * slow hash) on other threads, while the facts are gathered. A plan gives
   * the same result whether this ran or not.
   */
  warm?(args: A, ctx: ModuleContext): void;
  /**
   * Facts its plan reads on other hosts of the run (a public key an earlier
   * play made there), gathered over those hosts' connections when the task
   * is planned: every earlier play has run on them by then.
   */
  peers?(args: A, ctx: ModuleContext): PeerRequest[];
  /** Pure: the changes that make the host match; none means converged. */
  plan(args: A, facts: FactView, ctx: ModuleContext, peers?: PeerFacts): Change[];
  /**
   * Pure: the changes that put back what this task's `changes` (planned and
   * made in this run) replaced, for a rollout's health gate that switches a
   * failed deploy back, with what it goes back to ("release abc123"), and
   * `returning` when the task itself was a switch back (a rollback whose
   * target failed returns to where it started). Undefined when there is
   * nothing to go back to. Modules without it are not undone.
   */
  undo?(
    args: A,
    changes: readonly Change[],
  ): { changes: Change[]; to: string; returning?: boolean } | undefined;
  /** The files this task would place on the host, for `render` and offline `diff`. */
  files?(args: A, ctx: ModuleContext): DesiredFile[];
  docs: ModuleDocs;
}
