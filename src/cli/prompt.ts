import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { Interrupted, UsageError } from '../core/errors';

/**
 * Asks for a secret on the terminal without echoing it: on /dev/tty (so that
 * it works with stdin or stdout redirected), else on stdin when that is a
 * terminal. Ctrl-C stops the command (exit 130); Ctrl-D or the end of input
 * on an empty line gives up.
 */
export function promptHidden(question: string): Promise<string> {
  let input: tty.ReadStream;
  let write: (text: string) => void;
  let close: () => void;
  try {
    const fd = fs.openSync('/dev/tty', 'r+');
    input = new tty.ReadStream(fd);
    write = (text) => fs.writeSync(fd, text);
    close = () => input.destroy();
  } catch {
    if (!process.stdin.isTTY)
      return Promise.reject(new UsageError('no terminal to ask the password on'));
    input = process.stdin as tty.ReadStream;
    write = (text) => process.stderr.write(text);
    close = () => input.pause();
  }
  input.setRawMode(true);
  input.setEncoding('utf8');
  write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (outcome: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      write('\n');
      close();
      outcome();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(value));
        if (ch === '\u0003') return finish(() => reject(new Interrupted()));
        if (ch === '\u0004') {
          if (value === '') return finish(() => reject(new UsageError('no password given')));
          return finish(() => resolve(value));
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch === '\u0015') value = '';
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}
