import { Redactor } from '../core/redact';

/** Where a command writes. Everything written is redacted first. */
export interface Io {
  readonly redactor: Redactor;
  out(text: string): void;
  err(text: string): void;
  readonly color: boolean;
  readonly isTty: boolean;
}

export function processIo(redactor = new Redactor()): Io {
  const isTty = Boolean(process.stdout.isTTY);
  return {
    redactor,
    isTty,
    color: isTty && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb',
    out: (text) => process.stdout.write(redactor.redact(text.endsWith('\n') ? text : `${text}\n`)),
    err: (text) => process.stderr.write(redactor.redact(text.endsWith('\n') ? text : `${text}\n`)),
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
