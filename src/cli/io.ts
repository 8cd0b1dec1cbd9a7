import { Redactor } from '../core/redact';
import { promptHidden } from './prompt';

/** Where a command writes. Everything written is redacted first. */
export interface Io {
  readonly redactor: Redactor;
  out(text: string): void;
  err(text: string): void;
  readonly color: boolean;
  readonly isTty: boolean;
  /** Asks for a secret without echo; absent when stdin is not a terminal (then nobody is asked). */
  readonly promptSecret?: (question: string) => Promise<string>;
}

export function processIo(redactor = new Redactor()): Io {
  const isTty = Boolean(process.stdout.isTTY);
  // A reader that goes away (`| head`) must not stop a run halfway: the run
  // goes on, and only the output to that stream is dropped.
  const gone = new Set<NodeJS.WriteStream>();
  const write = (stream: NodeJS.WriteStream, text: string) => {
    if (!gone.has(stream)) stream.write(redactor.redact(text.endsWith('\n') ? text : `${text}\n`));
  };
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      gone.add(stream);
    });
  return {
    redactor,
    isTty,
    color: isTty && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb',
    ...(process.stdin.isTTY ? { promptSecret: promptHidden } : {}),
    out: (text) => write(process.stdout, text),
    err: (text) => write(process.stderr, text),
  };
}

/** An Io that collects output in memory, for tests. */
export function memoryIo(redactor = new Redactor()): Io & { stdout: string; stderr: string } {
  const io = {
    redactor,
    isTty: false,
    color: false,
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += redactor.redact(text.endsWith('\n') ? text : `${text}\n`);
    },
    err(text: string) {
      io.stderr += redactor.redact(text.endsWith('\n') ? text : `${text}\n`);
    },
  };
  return io;
}
