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

type EventOf<K extends EngineEvent['type']> = Extract<EngineEvent, { type: K }>;

/** What a formatter needs besides its event. */
interface Style {
  o: TextReporterOptions;
  paint: Paint;
}

/** One formatter per kind of event: the lines it prints (each one `out` call). */
const FORMATTERS: {
  [K in EngineEvent['type']]: (event: EventOf<K>, style: Style) => string[];
} = {
  play: (event) => [
    `\nPLAY [${event.play}]${event.check ? ' (check mode: nothing is changed)' : ''} ${event.hosts.join(', ') || '(no hosts)'}`,
  ],
  unreachable: (event, { paint }) => [
    paint(`unreachable: [${event.host}] ${event.error}`, 'unreachable'),
  ],
  task: (event, { paint }) => {
    const label = event.handler ? `handler ${event.task}` : event.task;
    const what = event.changes.length ? `: ${event.changes.map(describeChange).join('; ')}` : '';
    const error = event.error ? `\n  ${event.error.split('\n').join('\n  ')}` : '';
    return [
      `${paint(`${event.status}:`, event.status)} [${event.host}] ${label}${event.status === 'changed' ? what : ''}${error}`,
    ];
  },
  diff: (event) => {
    const label = `${event.host}:${event.path}`;
    return [
      [
        `--- ${label}${event.created ? ' (absent)' : ''}`,
        `+++ ${label}${event.masked ? ` (secrets shown as ${MASK})` : ''}`,
        ...event.hunks,
      ].join('\n'),
    ];
  },
  validation: (event, { o }) => {
    const r = event.result;
    if (r.status === 'unavailable')
      return [
        `note: [${event.host}] ${event.path}: ${r.program} is not installed yet: \`${r.command}\` will run during apply`,
      ];
    if (r.status === 'passed' && o.verbosity > 0)
      return [`validated: [${event.host}] ${event.path}: \`${r.command}\` passed on the candidate`];
    return [];
  },
  trace: (event, { o }) => {
    if (o.verbosity < 1) return [];
    const lines = [
      `  [${event.host}] ${event.what}: ${event.exitCode === null ? 'no exit code' : `exit ${event.exitCode}`} in ${event.ms.toFixed(0)} ms`,
    ];
    if (o.verbosity >= 2 && event.script)
      lines.push(event.script.replace(/\n$/, '').replace(/^/gm, '    | '));
    if (o.verbosity >= 3 && event.stdout) lines.push(traceBlock(event.stdout, '    > '));
    if (o.verbosity >= 3 && event.stderr) lines.push(traceBlock(event.stderr, '    ! '));
    return lines;
  },
  // For the live progress view only: the plain lines show finished tasks.
  'host-start': () => [],
  'task-start': () => [],
  'host-done': () => [],
  note: (event) => [`note: ${event.host ? `[${event.host}] ` : ''}${event.message}`],
  timings: (event, { o }) => {
    if (!o.timings) return [];
    const ms = (n: number) => n.toFixed(0);
    return [
      '\nTIMINGS (ms)',
      ...Object.entries(event.hosts).map(
        ([host, t]) =>
          `${host} : connect=${ms(t.connect)} facts=${ms(t.facts)} plan=${ms(t.plan)} execute=${ms(t.execute)} handlers=${ms(t.handlers)} ssh_connections=${t.connections} remote_commands=${t.commands}`,
      ),
    ];
  },
  recap: (event, { paint }) => [
    '\nPLAY RECAP',
    ...Object.entries(event.hosts).map(([host, c]) => {
      const line = recapLine(host, c, Object.keys(event.hosts), paint);
      const outcome = event.outcomes?.[host];
      return outcome ? `${line}  ${paint(outcome, 'failed')}` : line;
    }),
  ],
};

/** Events → the lines operators know from Ansible, one formatter per kind. */
export function textReporter(o: TextReporterOptions): (event: EngineEvent) => void {
  const style: Style = { o, paint: painter(o.color) };
  return (event) => {
    const format = FORMATTERS[event.type] as (event: EngineEvent, style: Style) => string[];
    for (const line of format(event, style)) o.out(line);
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
