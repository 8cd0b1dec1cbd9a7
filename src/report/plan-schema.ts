import { z } from 'zod';

/**
 * The JSON plan of `foobar-infra diff --format json` (and `--out`). README
 * documents it. It is a stable interface: fields are only ever added; a
 * field's meaning changes or a field goes away only with a new `version`.
 */
export const PLAN_FORMAT_VERSION = 1;

export const CHANGE_KINDS = [
  'file',
  'attributes',
  'directory',
  'link',
  'remove',
  'packages',
  'service',
  'command',
  'sql',
  'transfer',
  'deferred',
  'wait',
] as const;

const validationSchema = z.strictObject({
  /** passed / failed on the host; unavailable: the validator is not installed yet. */
  status: z.enum(['passed', 'failed', 'unavailable']),
  command: z.string(),
  exitCode: z.number().int().optional(),
  /** The validator's own output (failed only), secrets masked. */
  output: z.string().optional(),
  /** The missing program (unavailable only). */
  program: z.string().optional(),
});

const diffSchema = z.strictObject({
  /** The file does not exist yet. */
  created: z.boolean(),
  /** Unified-diff hunks (`@@` lines and their lines), secrets masked. */
  hunks: z.array(z.string()),
  /** At least one line had a secret masked. */
  masked: z.boolean(),
});

const changeSchema = z.strictObject({
  play: z.string(),
  task: z.string(),
  /** The change comes from a handler (a reload or restart a changed task notified). */
  handler: z.boolean(),
  kind: z.enum(CHANGE_KINDS),
  /** create, update, set, remove, install, reload, restart, start, run, execute, ... */
  action: z.string(),
  path: z.string().optional(),
  unit: z.string().optional(),
  packages: z
    .strictObject({ install: z.array(z.string()), remove: z.array(z.string()) })
    .optional(),
  /** SQL statements, every password masked. */
  statements: z.array(z.string()).optional(),
  /** One line, as the text output shows it. */
  summary: z.string(),
  /** Why the change is needed. */
  reason: z.string(),
  diff: diffSchema.optional(),
  validation: validationSchema.optional(),
});

const failureSchema = z.strictObject({
  play: z.string(),
  task: z.string(),
  handler: z.boolean(),
  message: z.string(),
});

const hostSchema = z.strictObject({
  name: z.string(),
  status: z.enum(['converged', 'changes', 'failed', 'unreachable']),
  changes: z.array(changeSchema),
  failures: z.array(failureSchema),
  /** Why the host could not be reached (unreachable only). */
  error: z.string().optional(),
});

const countSchema = z.number().int().min(0);

export const planDocumentSchema = z.strictObject({
  version: z.literal(PLAN_FORMAT_VERSION),
  tool: z.strictObject({ name: z.literal('foobar-infra'), version: z.string() }),
  /** live: planned against the hosts over SSH; offline: a fresh render against an earlier one. */
  mode: z.enum(['live', 'offline']),
  inventory: z.string(),
  playbook: z.string(),
  /** The earlier render folder (offline only). */
  against: z.string().optional(),
  /** converged → exit 0, changes → exit 2, error → exit 1. */
  status: z.enum(['converged', 'changes', 'error']),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  hosts: z.array(hostSchema),
  /** Hosts with changes whose changes are identical, shown once in the text output. */
  groups: z.array(z.strictObject({ hosts: z.array(z.string()).min(1) })),
  /** Live only: where each host's time went (ms) and its SSH counters. */
  timings: z
    .record(
      z.string(),
      z.strictObject({
        connect: z.number(),
        facts: z.number(),
        plan: z.number(),
        execute: z.number(),
        handlers: z.number(),
        connections: countSchema,
        commands: countSchema,
      }),
    )
    .optional(),
  summary: z.strictObject({
    hosts: countSchema,
    converged: countSchema,
    changed: countSchema,
    failed: countSchema,
    unreachable: countSchema,
    changes: countSchema,
    validations: z.strictObject({
      passed: countSchema,
      failed: countSchema,
      unavailable: countSchema,
    }),
  }),
});

export type PlanDocument = z.infer<typeof planDocumentSchema>;
export type PlanHost = z.infer<typeof hostSchema>;
export type PlanChange = z.infer<typeof changeSchema>;
export type PlanFailure = z.infer<typeof failureSchema>;
export type PlanValidation = z.infer<typeof validationSchema>;
export type PlanDiff = z.infer<typeof diffSchema>;
