/**
 * Handlers that a change has made necessary are recorded on the host before
 * the change, and cleared only after the handler ran. A run that dies in
 * between leaves the record, and the next run performs the handler.
 */
export const PENDING_FILE = '/var/lib/foobar-infra/pending-handlers';

export interface PendingHandler {
  /** The play's name: handlers are per play. */
  play: string;
  handler: string;
}

export function pendingLine(p: PendingHandler): string {
  return `${encode(p.play)}\t${encode(p.handler)}`;
}

export function parsePending(text: string): PendingHandler[] {
  const out: PendingHandler[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const [play, handler] = line.split('\t');
    if (play === undefined || handler === undefined || seen.has(line)) continue;
    seen.add(line);
    out.push({ play: decode(play), handler: decode(handler) });
  }
  return out;
}

const encode = (s: string) =>
  s.replace(/[\\\t\n]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : '\\n'));
const decode = (s: string) =>
  s.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c));
