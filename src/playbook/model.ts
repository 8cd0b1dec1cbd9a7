import type { z } from 'zod';
import type { PathSegment } from '../core/yaml-source';
import type { Expr } from './when';

export interface Condition {
  source: string;
  expr: Expr;
}

export interface Task {
  name: string;
  /** The module's name, e.g. `template`. */
  module: string;
  /** The module's arguments as written; strings may hold `{{ variables }}`. */
  args: Record<string, unknown>;
  notify: string[];
  when?: Condition;
  tags: string[];
  /** YAML path of the task, for error positions. */
  path: PathSegment[];
  /** Line of the task in the playbook. */
  line: number;
}

export interface Play {
  name: string;
  /** A host pattern: a group, a host, a glob, `a:b`, `a:&b`, `a:!b`. */
  hosts: string;
  /** Declared variables with their defaults; the inventory may override them. */
  vars: Record<string, unknown>;
  tasks: Task[];
  handlers: Task[];
  /** Hosts per batch: a number, or a percentage such as "50%". */
  serial?: number | string;
  anyErrorsFatal: boolean;
  maxFailPercentage?: number;
  /**
   * The health gate of a rolling deploy (`rollout:`), as written: strings may
   * hold `{{ variables }}`, rendered per host (engine/run/rollout-spec.ts).
   */
  rollout?: Record<string, unknown>;
  /** Where the play's `rollout:` stands in the playbook. */
  rolloutAt?: { line: number; col: number };
  path: PathSegment[];
  /** Where the play's `hosts:` value stands in the playbook. */
  hostsAt: { line: number; col: number };
}

export interface Playbook {
  file: string;
  /** Folder of the playbook file. */
  dir: string;
  plays: Play[];
}

/** What the playbook loader needs to know of a module: the shape of its arguments. */
export interface ModuleShape {
  args: z.ZodType;
  /** True for modules a handler may use. All may, by default. */
  handlerOk?: boolean;
}

export type ModuleCatalog = Record<string, ModuleShape>;

/** Every variable name a playbook declares, for the inventory's unknown-key check. */
export function declaredVariables(playbook: Playbook): Set<string> {
  const out = new Set<string>();
  for (const play of playbook.plays) for (const k of Object.keys(play.vars)) out.add(k);
  return out;
}
