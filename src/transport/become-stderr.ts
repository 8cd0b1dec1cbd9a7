/**
 * Watches the stderr of a command run through sudo (see remote-command.ts):
 * before the ready marker it is sudo talking (prompts, refusals), after it the
 * command's own output. Chunks may split a marker anywhere.
 */
export interface BecomeEvents {
  /** sudo printed its password prompt this many more times. */
  prompts: number;
  /** The wrapped shell started: sudo is done with stdin. */
  ready: boolean;
  /** The command's own stderr in this chunk (after the ready marker). */
  output: Buffer;
}

export class BecomeStderr {
  private before = Buffer.alloc(0);
  private promptsSeen = 0;
  private isReady = false;
  private shellPid: number | undefined;
  private readonly readyMarker: Buffer;
  private readonly prompt: Buffer | undefined;

  /** The ready line is `<readyMarker> <pid>\n`: the pid of the wrapped shell, which runs as root. */
  constructor(readyMarker: string, promptMarker?: string) {
    this.readyMarker = Buffer.from(`${readyMarker} `);
    this.prompt = promptMarker === undefined ? undefined : Buffer.from(promptMarker);
  }

  get ready(): boolean {
    return this.isReady;
  }

  /** The pid the wrapped shell reported, once ready. */
  get pid(): number | undefined {
    return this.shellPid;
  }

  push(chunk: Buffer): BecomeEvents {
    if (this.isReady) return { prompts: 0, ready: false, output: chunk };
    this.before = Buffer.concat([this.before, chunk]);
    let at = this.before.indexOf(this.readyMarker);
    const end = at < 0 ? -1 : this.before.indexOf(0x0a, at);
    if (end < 0) at = -1; // the line is not complete yet
    const sudoPart = at < 0 ? this.before : this.before.subarray(0, at);
    const prompts = this.count(sudoPart) - this.promptsSeen;
    this.promptsSeen += prompts;
    if (at < 0) return { prompts, ready: false, output: Buffer.alloc(0) };
    this.isReady = true;
    const pid = Number(this.before.toString('latin1', at + this.readyMarker.length, end));
    if (Number.isInteger(pid) && pid > 1) this.shellPid = pid;
    const output = Buffer.from(this.before.subarray(end + 1));
    this.before = this.before.subarray(0, at);
    return { prompts, ready: true, output };
  }

  /** What sudo wrote, without its prompts: the prefix of the returned stderr, or the reason it failed. */
  sudoText(): string {
    let text = this.before.toString('utf8');
    if (this.prompt) text = text.split(this.prompt.toString('utf8')).join('');
    return text;
  }

  private count(buffer: Buffer): number {
    if (!this.prompt) return 0;
    let n = 0;
    for (let i = buffer.indexOf(this.prompt); i >= 0; i = buffer.indexOf(this.prompt, i + 1)) n++;
    return n;
  }
}
