import * as path from 'node:path';
import { z } from 'zod';
import type { Diagnostic } from '../core/errors';
import type { Checked } from '../core/result';
import { didYouMean } from '../core/suggest';
import {
  diagnosticAt,
  parseYaml,
  positionOf,
  readSourceFile,
  typeOf,
  zodDiagnostics,
  type PathSegment,
  type YamlSource,
} from '../core/yaml-source';
import type { Condition, ModuleCatalog, Play, Playbook, Task } from './model';
import { ExpressionError, parseExpression } from './when';

const TASK_KEYS = ['name', 'notify', 'when', 'tags'] as const;
const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1))]);

const templatedNumber = z.union([z.number().positive(), z.string().min(1)]);

/** A play's health gate, before rendering (engine/run/rollout-spec.ts checks the rendered values). */
const RolloutShape = z.strictObject({
  health_url: z.string().min(1),
  timeout: templatedNumber.optional(),
  balancer: z
    .strictObject({
      hosts: z.string().min(1),
      socket: z.string().min(1),
      backend: z.string().min(1),
      server: z.string().min(1).optional(),
    })
    .optional(),
});

const PlayShape = z.strictObject({
  name: z.string().min(1).optional(),
  hosts: z.string().min(1),
  vars: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names use letters, digits and _'),
      z.unknown(),
    )
    .optional(),
  tasks: z.array(z.unknown()).optional(),
  handlers: z.array(z.unknown()).optional(),
  serial: z
    .union([
      z.number().int().min(1),
      z.string().regex(/^\d+%$/, 'a number or a percentage like "50%"'),
    ])
    .optional(),
  any_errors_fatal: z.boolean().optional(),
  max_fail_percentage: z.number().min(0).max(100).optional(),
  rollout: RolloutShape.optional(),
});

/** The keys a play (or its rollout, or the rollout's balancer) knows: for "did you mean". */
function playKeys(path: readonly PathSegment[]): string[] {
  if (path[0] !== 'rollout') return Object.keys(PlayShape.shape);
  if (path[1] === 'balancer') return Object.keys(RolloutShape.shape.balancer.unwrap().shape);
  return Object.keys(RolloutShape.shape);
}

/** `partial`: the plays and tasks that loaded, also when others have errors (for `validate`). */
export function loadPlaybook(
  file: string,
  modules: ModuleCatalog,
): Checked<Playbook> & { partial?: Playbook } {
  const read = readSourceFile(file);
  if (read.text === undefined) return { value: undefined, diagnostics: read.diagnostics };
  return parsePlaybook(file, read.text, modules);
}

export function parsePlaybook(
  file: string,
  text: string,
  modules: ModuleCatalog,
): Checked<Playbook> & { partial?: Playbook } {
  const parsed = parseYaml(file, text);
  if (!parsed.source) return { value: undefined, diagnostics: parsed.diagnostics };
  const source = parsed.source;
  const diagnostics: Diagnostic[] = [];
  const data = source.data;
  if (!Array.isArray(data)) {
    diagnostics.push(
      diagnosticAt(source, [], `a playbook is a list of plays, got ${typeOf(data)}`),
    );
    return { value: undefined, diagnostics };
  }
  const plays: Play[] = [];
  data.forEach((raw, i) => {
    const play = readPlay(source, [i], raw, modules, diagnostics);
    if (play) plays.push(play);
  });
  if (plays.length === 0 && diagnostics.length === 0) {
    diagnostics.push(diagnosticAt(source, [], 'the playbook has no plays'));
  }
  const failed = diagnostics.some((d) => d.severity === 'error');
  const playbook = { file, dir: path.dirname(path.resolve(file)), plays };
  return { value: failed ? undefined : playbook, partial: playbook, diagnostics };
}

function readPlay(
  source: YamlSource,
  at: PathSegment[],
  raw: unknown,
  modules: ModuleCatalog,
  diagnostics: Diagnostic[],
): Play | undefined {
  const result = PlayShape.safeParse(raw);
  if (!result.success) {
    diagnostics.push(
      ...zodDiagnostics(source, at, result.error, (path) => playKeys(path.slice(at.length))),
    );
    return undefined;
  }
  const p = result.data;
  const handlers = (p.handlers ?? [])
    .map((t, i) => readTask(source, [...at, 'handlers', i], t, modules, diagnostics))
    .filter((t): t is Task => t !== undefined);
  const tasks = (p.tasks ?? [])
    .map((t, i) => readTask(source, [...at, 'tasks', i], t, modules, diagnostics))
    .filter((t): t is Task => t !== undefined);
  const handlerNames = new Set<string>();
  handlers.forEach((h) => {
    if (handlerNames.has(h.name))
      diagnostics.push(
        diagnosticAt(source, [...h.path, 'name'], `duplicate handler name "${h.name}"`),
      );
    handlerNames.add(h.name);
  });
  for (const task of [...tasks, ...handlers]) {
    task.notify.forEach((n, j) => {
      if (!handlerNames.has(n)) {
        const field = Array.isArray((raw as { notify?: unknown }).notify)
          ? ['notify', j]
          : ['notify'];
        diagnostics.push(
          diagnosticAt(
            source,
            [...task.path, ...field],
            `no handler named "${n}" in this play${didYouMean(n, handlerNames)}`,
          ),
        );
      }
    });
  }
  return {
    name: p.name ?? p.hosts,
    hosts: p.hosts,
    vars: p.vars ?? {},
    tasks,
    handlers,
    serial: p.serial,
    anyErrorsFatal: p.any_errors_fatal ?? false,
    maxFailPercentage: p.max_fail_percentage,
    ...(p.rollout ? { rollout: p.rollout, rolloutAt: positionOf(source, [...at, 'rollout']) } : {}),
    path: at,
    hostsAt: positionOf(source, [...at, 'hosts']),
  };
}

/** Where a task is read, and where its problems go. */
interface TaskSite {
  source: YamlSource;
  at: PathSegment[];
  diagnostics: Diagnostic[];
}

const TASK_COMMON = z.object({
  name: z.string().min(1).optional(),
  notify: stringOrList.optional(),
  when: z.string().min(1).optional(),
  tags: stringOrList.optional(),
});

function readTask(
  source: YamlSource,
  at: PathSegment[],
  raw: unknown,
  modules: ModuleCatalog,
  diagnostics: Diagnostic[],
): Task | undefined {
  const site: TaskSite = { source, at, diagnostics };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    diagnostics.push(
      diagnosticAt(
        source,
        at,
        `a task is a mapping with a name and one module, got ${typeOf(raw)}`,
      ),
    );
    return undefined;
  }
  const entry = raw as Record<string, unknown>;
  const named = taskModule(site, entry, modules);
  if (named.stop) return undefined;
  const common = TASK_COMMON.safeParse(entry);
  if (!common.success) diagnostics.push(...zodDiagnostics(source, at, common.error));
  const moduleName = named.module;
  if (!moduleName) return undefined;
  const argsOk = moduleArgsValid(site, entry, modules, moduleName);
  const when = taskCondition(site, entry);
  if (named.unknownKeys || !common.success || !argsOk || when === INVALID) return undefined;
  const list = (v: string | string[] | undefined) =>
    v === undefined ? [] : Array.isArray(v) ? v : [v];
  return {
    name: common.data.name ?? `${moduleName}`,
    module: moduleName,
    // As written: rendered for each host, then parsed again (a transform such
    // as a "{{flag}}" → boolean must see the rendered text).
    args: (entry[moduleName] ?? {}) as Record<string, unknown>,
    notify: list(common.data.notify),
    when,
    tags: list(common.data.tags),
    path: at,
    line: positionOf(source, at).line,
  };
}

/**
 * The task's module. Keys that are neither a task field nor a module are
 * reported (the task is then invalid, but its other parts are still checked);
 * a task that names no module, or more than one, is reported and read no
 * further (`stop`).
 */
function taskModule(
  { source, at, diagnostics }: TaskSite,
  entry: Record<string, unknown>,
  modules: ModuleCatalog,
): { module?: string; unknownKeys: boolean; stop: boolean } {
  const moduleNames = Object.keys(modules);
  let unknown = false;
  const found: string[] = [];
  for (const key of Object.keys(entry)) {
    if ((TASK_KEYS as readonly string[]).includes(key)) continue;
    if (key in modules) found.push(key);
    else {
      diagnostics.push(
        diagnosticAt(
          source,
          [...at, key],
          `unknown field or module${didYouMean(key, [...TASK_KEYS, ...moduleNames])}`,
          { key: true },
        ),
      );
      unknown = true;
    }
  }
  if (found.length === 0 && !unknown) {
    diagnostics.push(
      diagnosticAt(source, at, `the task names no module (one of: ${moduleNames.join(', ')})`),
    );
    return { unknownKeys: false, stop: true };
  }
  if (found.length > 1) {
    diagnostics.push(
      diagnosticAt(
        source,
        [...at, found[1]!],
        `a task has exactly one module; this one has ${found.join(' and ')}`,
        { key: true },
      ),
    );
    return { unknownKeys: unknown, stop: true };
  }
  return { module: found[0], unknownKeys: unknown, stop: false };
}

/** The module's arguments against its schema; false (reported) when they do not fit. */
function moduleArgsValid(
  { source, at, diagnostics }: TaskSite,
  entry: Record<string, unknown>,
  modules: ModuleCatalog,
  moduleName: string,
): boolean {
  const args = modules[moduleName]!.args.safeParse(entry[moduleName] ?? {});
  if (args.success) return true;
  const shape = modules[moduleName]!.args as unknown as { shape?: Record<string, unknown> };
  diagnostics.push(
    ...zodDiagnostics(source, [...at, moduleName], args.error, () =>
      Object.keys(shape.shape ?? {}),
    ),
  );
  return false;
}

const INVALID = Symbol('invalid condition');

/** The task's `when:`, parsed; INVALID (reported) when it does not parse. */
function taskCondition(
  { source, at, diagnostics }: TaskSite,
  entry: Record<string, unknown>,
): Condition | undefined | typeof INVALID {
  if (typeof entry.when !== 'string') return undefined;
  try {
    return { source: entry.when, expr: parseExpression(entry.when) };
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    const pos = diagnosticAt(source, [...at, 'when'], '');
    diagnostics.push({
      ...pos,
      message: `invalid condition at column ${error.column}: ${error.message}`,
    });
    return INVALID;
  }
}
