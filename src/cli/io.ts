import { Redactor } from '../core/redact';
import { promptHidden } from './prompt';
import { noColor, Terminal, type LiveArea } from './terminal';

/** Where a command writes. Everything written is redacted first. */
export interface Io {
  readonly redactor: Redactor;
  out(text: string): void;
  err(text: string): void;
  readonly color: boolean;
  readonly isTty: boolean;
  /** Asks for a secret without echo; absent when stdin is not a terminal (then nobody is asked). */
  readonly promptSecret?: (question: string) => Promise<string>;
  /**
   * A live block at the bottom of stdout or stderr, when that stream is a
   * terminal (a TTY, TERM not `dumb`); lines written with out() and err()
   * scroll above it. Undefined when there is none (not a TTY, in tests).
   */
  liveArea?(stream: 'out' | 'err'): LiveArea | undefined;
}

export function processIo(redactor = new Redactor()): Io {
  const isTty = Boolean(process.stdout.isTTY);
  const terminal = new Terminal({ out: process.stdout, err: process.stderr }, process.env);
  // Whatever ends the process, the live block goes and the cursor comes back.
  process.once('exit', () => terminal.restore());
  // A reader that goes away (`| head`) must not stop a run halfway: the run
  // goes on, and only the output to that stream is dropped.
  const gone = new Set<NodeJS.WriteStream>();
  const write = (stream: NodeJS.WriteStream, text: string) => {
    if (!gone.has(stream))
      terminal.write(stream, redactor.redact(text.endsWith('\n') ? text : `${text}\n`));
  };
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      gone.add(stream);
    });
  return {
    redactor,
    isTty,
    color: isTty && !noColor(process.env) && process.env.TERM !== 'dumb',
    ...(process.stdin.isTTY ? { promptSecret: promptHidden } : {}),
    out: (text) => write(process.stdout, text),
    err: (text) => write(process.stderr, text),
    liveArea(stream) {
      const area = terminal.area(stream);
      if (!area) return undefined;
      // Its lines are redacted too (the live view also redacts what it shows
      // before cutting it to the terminal's width, so no secret is cut in two).
      return {
        get columns() {
          return area.columns;
        },
        get rows() {
          return area.rows;
        },
        color: area.color,
        unicode: area.unicode,
        show: (lines) => area.show(lines.map((l) => redactor.redact(l))),
        close: () => area.close(),
      };
    },
  };
}

/**
 * An Io that collects output in memory (tests, captured docs): stdout and
 * stderr apart, and `both` in the order written, as a terminal shows them.
 */
export function memoryIo(
  redactor = new Redactor(),
): Io & { stdout: string; stderr: string; both: string } {
  const line = (text: string) => redactor.redact(text.endsWith('\n') ? text : `${text}\n`);
  const io = {
    redactor,
    isTty: false,
    color: false,
    stdout: '',
    stderr: '',
    both: '',
    out(text: string) {
      const l = line(text);
      io.stdout += l;
      io.both += l;
    },
    err(text: string) {
      const l = line(text);
      io.stderr += l;
      io.both += l;
    },
  };
  return io;
}
