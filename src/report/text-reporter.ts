import { MASK } from '../core/redact';
import type { EngineEvent, HostCounters } from '../engine/events';
import { describeChange } from '../changes/kinds';

export interface TextReporterOptions {
  color: boolean;
  /** Print where each host's time went (--timings). */
  timings?: boolean;
  verbosity: number;
  out: (line: string) => void;
}

const COLORS = { ok: 32, changed: 33, skipped: 36, failed: 31, unreachable: 31 } as const;

/** A status's colour for text, or the text as it is when colour is off (no TTY, NO_COLOR). */
export type Paint = (text: string, status: keyof typeof COLORS) => string;

export function painter(color: boolean): Paint {
  return (text, status) => (color ? `\x1b[${COLORS[status]}m${text}\x1b[0m` : text);
}

/** Events → the lines operators know from Ansible, one formatter per kind. */
export function textReporter(o: TextReporterOptions): (event: EngineEvent) => void {
  const paint = painter(o.color);
  return (event) => {
    switch (event.type) {
      case 'play':
        o.out(
          `\nPLAY [${event.play}]${event.check ? ' (check mode: nothing is changed)' : ''} ${event.hosts.join(', ') || '(no hosts)'}`,
        );
        return;
      case 'unreachable':
        o.out(paint(`unreachable: [${event.host}] ${event.error}`, 'unreachable'));
        return;
      case 'task': {
        const label = event.handler ? `handler ${event.task}` : event.task;
        const what = event.changes.length
          ? `: ${event.changes.map(describeChange).join('; ')}`
          : '';
        const error = event.error ? `\n  ${event.error.split('\n').join('\n  ')}` : '';
        o.out(
          `${paint(`${event.status}:`, event.status)} [${event.host}] ${label}${event.status === 'changed' ? what : ''}${error}`,
        );
        return;
      }
      case 'diff': {
        const label = `${event.host}:${event.path}`;
        o.out(
          [
            `--- ${label}${event.created ? ' (absent)' : ''}`,
            `+++ ${label}${event.masked ? ` (secrets shown as ${MASK})` : ''}`,
            ...event.hunks,
          ].join('\n'),
        );
        return;
      }
      case 'validation': {
        const r = event.result;
        if (r.status === 'unavailable')
          o.out(
            `note: [${event.host}] ${event.path}: ${r.program} is not installed yet: \`${r.command}\` will run during apply`,
          );
        else if (r.status === 'passed' && o.verbosity > 0)
          o.out(
            `validated: [${event.host}] ${event.path}: \`${r.command}\` passed on the candidate`,
          );
        return;
      }
      case 'trace':
        if (o.verbosity < 1) return;
        o.out(
          `  [${event.host}] ${event.what}: ${event.exitCode === null ? 'no exit code' : `exit ${event.exitCode}`} in ${event.ms.toFixed(0)} ms`,
        );
        if (o.verbosity >= 2 && event.script)
          o.out(event.script.replace(/\n$/, '').replace(/^/gm, '    | '));
        if (o.verbosity >= 3 && event.stdout) o.out(traceBlock(event.stdout, '    > '));
        if (o.verbosity >= 3 && event.stderr) o.out(traceBlock(event.stderr, '    ! '));
        return;
      case 'host-start':
      case 'task-start':
      case 'host-done':
        // For the live progress view only: the plain lines show finished tasks.
        return;
      case 'note':
        o.out(`note: ${event.host ? `[${event.host}] ` : ''}${event.message}`);
        return;
      case 'timings':
        if (!o.timings) return;
        o.out('\nTIMINGS (ms)');
        for (const [host, t] of Object.entries(event.hosts)) {
          const ms = (n: number) => n.toFixed(0);
          o.out(
            `${host} : connect=${ms(t.connect)} facts=${ms(t.facts)} plan=${ms(t.plan)} execute=${ms(t.execute)} handlers=${ms(t.handlers)} ssh_connections=${t.connections} remote_commands=${t.commands}`,
          );
        }
        return;
      case 'recap':
        o.out('\nPLAY RECAP');
        for (const [host, c] of Object.entries(event.hosts))
          o.out(recapLine(host, c, Object.keys(event.hosts), paint));
        return;
    }
  };
}

function recapLine(host: string, c: HostCounters, all: string[], paint: Paint): string {
  const width = Math.max(...all.map((h) => h.length));
  const field = (name: keyof HostCounters) => {
    const text = `${name}=${c[name]}`;
    return c[name] > 0 && name !== 'ok' ? paint(text, name) : text;
  };
  return `${host.padEnd(width)} : ${(['ok', 'changed', 'unreachable', 'failed', 'skipped'] as const).map(field).join(' ')}`;
}

/** The most of one output stream (stdout, stderr) a trace prints. */
export const TRACE_MAX_LINES = 500;
export const TRACE_MAX_LINE = 4000;

/**
 * A command's output in a trace, each line behind `prefix`. Whole lines only,
 * never cut inside one (a secret cut in two would escape the redactor): a
 * line too long is left out whole, and so are the lines past the limit.
 */
export function traceBlock(text: string, prefix: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  const shown = lines
    .slice(0, TRACE_MAX_LINES)
    .map((line) =>
      line.length > TRACE_MAX_LINE
        ? `${prefix}(a line of ${line.length} characters, not shown)`
        : `${prefix}${line}`,
    );
  if (lines.length > TRACE_MAX_LINES)
    shown.push(`${prefix}(${lines.length - TRACE_MAX_LINES} more lines, not shown)`);
  return shown.join('\n');
}
