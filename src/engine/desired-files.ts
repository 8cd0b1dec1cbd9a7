import { TemplateError, type Diagnostic } from '../core/errors';
import type { DesiredFile } from '../modules/module';
import type { SecretValue } from '../render/context';
import { PlayExpander, playHosts, templateDiagnostic } from './expand';
import { rolloutFor } from './run/rollout-spec';
import type { Project } from './project';

export interface HostFiles {
  host: string;
  files: PlannedFile[];
}

/** A file and the task that places it. */
export interface PlannedFile extends DesiredFile {
  play: string;
  task: string;
  /** The task's line in the playbook. */
  line?: number;
}

/**
 * Every file each host would receive from the playbook, computed offline (no
 * SSH): templates rendered, copied trees read. Later tasks writing the same
 * path win, as they would on the host. Every problem is collected.
 */
export function desiredFiles(
  project: Project,
  options: { limit?: string; secret: SecretValue; skipHosts?: ReadonlySet<string> },
): { hosts: HostFiles[]; diagnostics: Diagnostic[] } {
  const perHost = new Map<string, Map<string, PlannedFile>>();
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const play of project.playbook.plays) {
    const expander = new PlayExpander(project, play, options.secret);
    for (const host of playHosts(project, play, options.limit)) {
      if (options.skipHosts?.has(host)) continue;
      const files = perHost.get(host) ?? new Map<string, PlannedFile>();
      perHost.set(host, files);
      const vars = expander.vars(host);
      const report = (error: unknown, line: number, what: string) => {
        if (!(error instanceof TemplateError)) throw error;
        const d: Diagnostic =
          error.template === ''
            ? {
                severity: 'error',
                file: project.playbook.file,
                line,
                message: `${what}: ${error.detail}${error.host ? ` (host ${error.host})` : ` (host ${host})`}`,
              }
            : templateDiagnostic(error, project.templatesDir);
        // The same broken template fails alike on every host: report it once per cause.
        const key = `${d.file}:${d.line}:${d.message.replace(/ \(host [^)]*\)$/, '')}`;
        if (!seen.has(key)) diagnostics.push(d);
        seen.add(key);
      };
      try {
        rolloutFor(play, host, vars, expander.templates, project.playbook.file);
      } catch (error) {
        report(error, play.hostsAt.line, `play "${play.name}" rollout`);
      }
      for (const task of play.tasks) {
        try {
          const prepared = expander.prepare(task, host, vars);
          if (prepared.skipped || !prepared.module.files) continue;
          for (const f of prepared.module.files(prepared.args as never, prepared.ctx))
            files.set(f.path, { ...f, play: play.name, task: task.name, line: task.line });
        } catch (error) {
          report(error, task.line, `task "${task.name}"`);
        }
      }
    }
  }
  const hosts = [...perHost].map(([host, files]) => ({ host, files: [...files.values()] }));
  return { hosts, diagnostics };
}
