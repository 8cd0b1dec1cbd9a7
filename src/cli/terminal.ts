/**
 * A live block of lines at the bottom of a terminal (the progress of a run),
 * with every other line written scrolling above it. Only this file writes
 * cursor movements.
 */

/** A few lines kept at the bottom of the terminal and redrawn in place. */
export interface LiveArea {
  readonly columns: number;
  readonly rows: number;
  /** False when NO_COLOR is set. */
  readonly color: boolean;
  /** The locale is UTF-8: a braille spinner, `…`. */
  readonly unicode: boolean;
  /** Replaces the lines drawn by these (each narrower than the terminal, no newline). */
  show(lines: readonly string[]): void;
  /** Erases the lines and shows the cursor again; the area cannot be used after. */
  close(): void;
}

/** What the terminal needs of process.stdout or process.stderr. */
export interface TerminalStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
  write(text: string): unknown;
}

export const CURSOR_HIDE = '\x1b[?25l';
export const CURSOR_SHOW = '\x1b[?25h';

/**
 * Pure: the bytes that replace a block of `drawn` lines, with the cursor at
 * the start of the line under it, by `lines`: up to its first line, then each
 * line cleared and written, then whatever is left of the old block cleared.
 */
export function redrawSequence(drawn: number, lines: readonly string[]): string {
  let out = drawn > 0 ? `\r\x1b[${drawn}A` : '';
  for (const line of lines) out += `\x1b[2K${line}\n`;
  if (lines.length < drawn) out += '\x1b[J';
  return out;
}

/** Pure: the bytes that remove a block of `drawn` lines, leaving the cursor where it began. */
export function eraseSequence(drawn: number): string {
  return drawn > 0 ? `\r\x1b[${drawn}A\x1b[J` : '';
}

/** Whether a stream can show a live block: a TTY whose TERM is not `dumb`. */
export function isLiveTerminal(stream: TerminalStream, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

/** NO_COLOR set to anything but the empty string turns colour off (no-color.org). */
export function noColor(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.NO_COLOR);
}

interface Block {
  stream: TerminalStream;
  lines: readonly string[];
  drawn: number;
  /** A redraw is scheduled (after lines written above the block). */
  pending: boolean;
  /** The cursor is hidden (from the first draw until close). */
  hidden: boolean;
}

/**
 * Writes to stdout and stderr around one live area at most. A line written
 * while the block shows (to its stream, or to the other one when that is a
 * terminal too) first erases the block; the block comes back once the writes
 * of the moment are done, so a burst of lines redraws it once.
 */
export class Terminal {
  private block: Block | undefined;

  constructor(
    private readonly streams: { out: TerminalStream; err: TerminalStream },
    private readonly env: NodeJS.ProcessEnv,
    private readonly later: (run: () => void) => void = (run) => setImmediate(run),
  ) {}

  write(stream: TerminalStream, text: string): void {
    const b = this.block;
    if (b && b.drawn > 0 && (stream === b.stream || stream.isTTY)) {
      b.stream.write(eraseSequence(b.drawn));
      b.drawn = 0;
      this.redrawLater(b);
    }
    stream.write(text);
  }

  /** A live area on stdout or stderr, if that is a live terminal and no other area is open. */
  area(which: 'out' | 'err'): LiveArea | undefined {
    const stream = this.streams[which];
    if (this.block || !isLiveTerminal(stream, this.env)) return undefined;
    const b: Block = { stream, lines: [], drawn: 0, pending: false, hidden: false };
    this.block = b;
    const locale = this.env.LC_ALL || this.env.LC_CTYPE || this.env.LANG || '';
    return {
      get columns() {
        return stream.columns || 80;
      },
      get rows() {
        return stream.rows || 24;
      },
      color: !noColor(this.env),
      unicode: /utf-?8/i.test(locale),
      show: (lines) => {
        if (this.block !== b) return;
        b.lines = [...lines];
        if (!b.pending) this.draw(b);
      },
      close: () => {
        if (this.block !== b) return;
        this.block = undefined;
        this.end(b);
      },
    };
  }

  /** Erases the block and shows the cursor (at exit, whatever ends the process). */
  restore(): void {
    const b = this.block;
    if (!b) return;
    this.block = undefined;
    this.end(b);
  }

  private end(b: Block): void {
    const text = eraseSequence(b.drawn) + (b.hidden ? CURSOR_SHOW : '');
    if (text) b.stream.write(text);
    b.drawn = 0;
    b.hidden = false;
  }

  private draw(b: Block): void {
    const hide = !b.hidden && b.lines.length > 0 ? CURSOR_HIDE : '';
    const text = hide + redrawSequence(b.drawn, b.lines);
    if (hide) b.hidden = true;
    if (text) b.stream.write(text);
    b.drawn = b.lines.length;
  }

  private redrawLater(b: Block): void {
    if (b.pending) return;
    b.pending = true;
    this.later(() => {
      b.pending = false;
      if (this.block === b) this.draw(b);
    });
  }
}
