import * as path from 'node:path';
import { TemplateError, type Diagnostic } from '../core/errors';
import { selectHosts } from '../inventory/patterns';
import { MODULES } from '../modules/registry';
import type { ModuleContext, ModuleDefinition } from '../modules/module';
import type { Play, Task } from '../playbook/model';
import { ExpressionError, evaluate } from '../playbook/when';
import { contextBuilder, type SecretValue } from '../render/context';
import { TemplateEngine } from '../render/template-engine';
import type { Project } from './project';
import { renderArgs } from './task-args';

/** One task, for one host, with its arguments rendered and checked. */
export interface HostTask {
  play: Play;
  task: Task;
  host: string;
  module: ModuleDefinition<never>;
  /** Undefined when `when` is false. */
  args?: unknown;
  skipped: boolean;
  ctx: ModuleContext;
}

/** The hosts a play runs on, after --limit. */
export function playHosts(project: Project, play: Play, limit?: string): string[] {
  const hosts = selectHosts(project.inventory, play.hosts).hosts;
  if (!limit) return hosts;
  const allowed = new Set(selectHosts(project.inventory, limit).hosts);
  return hosts.filter((h) => allowed.has(h));
}

/** Every host some play runs on, after --limit, in inventory order. */
export function hostsInScope(project: Project, limit?: string): string[] {
  const inScope = new Set(project.playbook.plays.flatMap((p) => playHosts(project, p, limit)));
  return [...project.inventory.hosts.keys()].filter((h) => inScope.has(h));
}

const engines = new WeakMap<Project, TemplateEngine>();

/**
 * The template engine of a loaded project: one per project, so that each
 * template is compiled once in a run, whichever pass renders it (the checks
 * before connecting, with secrets masked, then the plan). A compiled template
 * holds no values: only the context it is rendered with does.
 */
export function templatesOf(project: Project): TemplateEngine {
  let engine = engines.get(project);
  if (!engine) {
    engine = new TemplateEngine(project.templatesDir);
    engines.set(project, engine);
  }
  return engine;
}

/**
 * Prepares a play's tasks for one host: evaluates `when`, renders the
 * arguments with the host's variables and checks them against the module.
 * Problems are thrown as TemplateError (template, line, host) or returned by
 * `expandForValidation` as diagnostics.
 */
export class PlayExpander {
  readonly templates: TemplateEngine;
  private readonly contextFor: (host: string) => Record<string, unknown>;

  constructor(
    private readonly project: Project,
    readonly play: Play,
    secret: SecretValue,
    templates?: TemplateEngine,
    private readonly containsSecret: (text: string) => boolean = () => false,
  ) {
    this.templates = templates ?? templatesOf(project);
    this.contextFor = contextBuilder(project.inventory, play.vars, secret);
  }

  vars(host: string): Record<string, unknown> {
    return this.contextFor(host);
  }

  prepare(task: Task, host: string, vars = this.vars(host)): HostTask {
    const module = MODULES[task.module]!;
    const ctx: ModuleContext = {
      host,
      vars,
      templates: this.templates,
      filesDir: this.project.filesDir,
      containsSecret: this.containsSecret,
    };
    const base = { play: this.play, task, host, module, ctx };
    // Problems of the task itself are labelled "<playbook>:<line>: task ...", as
    // renderArgs labels them, so that they name the playbook file (never a template).
    const label = `${this.project.playbook.file}:${task.line}: task "${task.name}"`;
    if (task.when) {
      let ok: boolean;
      try {
        ok = evaluate(task.when.expr, vars);
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        throw new TemplateError(label, undefined, `when: ${error.message}`, host);
      }
      if (!ok) return { ...base, skipped: true };
    }
    const rendered = renderArgs(task.args, vars, this.templates, label, host);
    const parsed = module.args.safeParse(rendered);
    if (!parsed.success) {
      const detail = parsed.error.issues
        .map((i) => `${i.path.join('.') || task.module}: ${i.message}`)
        .join('; ');
      throw new TemplateError(label, undefined, `after rendering: ${detail}`, host);
    }
    return { ...base, args: parsed.data, skipped: false };
  }
}

/** A thrown render problem as a diagnostic: the template file and line, and the host. */
export function templateDiagnostic(error: TemplateError, templatesDir: string): Diagnostic {
  // Errors in task arguments are labelled "<playbook>:<line>: task ..."; others name a template.
  const inPlaybook = /^(.*):(\d+): ((?:task|play) .*)$/.exec(error.template);
  if (inPlaybook) {
    return {
      severity: 'error',
      file: inPlaybook[1]!,
      line: Number(inPlaybook[2]),
      message: `${inPlaybook[3]}: ${error.detail}${error.host ? ` (host ${error.host})` : ''}`,
    };
  }
  const isTemplate = !path.isAbsolute(error.template) && error.template !== '';
  return {
    severity: 'error',
    file: isTemplate
      ? path.join(path.relative(process.cwd(), templatesDir) || '.', error.template)
      : error.template,
    line: error.line,
    message: `${error.detail}${error.host ? ` (host ${error.host})` : ''}`,
  };
}
