import type { EngineEvent } from '../engine/events';

/** What one host is doing now, as the live view shows it. */
export interface HostActivity {
  host: string;
  /** A task's name, `handler NAME`, or `gathering facts`. */
  doing: string;
  /** Long work (a package install, seeding a database): a spinner shows. */
  long: boolean;
  /** When it started doing it, in milliseconds of the caller's clock. */
  since: number;
}

/** The hosts at work, in the order they started. Pure data. */
export interface LiveState {
  readonly hosts: readonly HostActivity[];
}

export const EMPTY_LIVE_STATE: LiveState = { hosts: [] };

/** Pure: the state after an event, which happened at `now`. */
export function liveStep(state: LiveState, event: EngineEvent, now: number): LiveState {
  switch (event.type) {
    case 'host-start':
      return put(state, { host: event.host, doing: 'gathering facts', long: false, since: now });
    case 'task-start':
      return put(state, {
        host: event.host,
        doing: event.handler ? `handler ${event.task}` : event.task,
        long: event.long,
        since: now,
      });
    case 'host-done':
    case 'unreachable':
      return { hosts: state.hosts.filter((h) => h.host !== event.host) };
    case 'recap':
      return EMPTY_LIVE_STATE;
    default:
      return state;
  }
}

function put(state: LiveState, activity: HostActivity): LiveState {
  const at = state.hosts.findIndex((h) => h.host === activity.host);
  if (at < 0) return { hosts: [...state.hosts, activity] };
  const hosts = [...state.hosts];
  hosts[at] = activity;
  return { hosts };
}

export interface FrameOptions {
  /** The terminal's width: no line reaches it (a full line would wrap on some terminals). */
  columns: number;
  /** The terminal's height: the block takes half of it at most. */
  rows: number;
  color: boolean;
  /** Braille spinner and `…`; else ASCII. */
  unicode: boolean;
}

const SPINNER = { unicode: [...'⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'], ascii: [...'|/-\\'] };
/** How long one spinner frame shows (the view redraws ten times a second). */
export const SPINNER_FRAME_MS = 100;

/**
 * Pure: the live block's lines at `now`, one per host at work:
 * `<spinner> <host>  <elapsed>  <task>`, the spinner only for long work,
 * every line narrower than the terminal, and no more lines than half of it.
 */
export function liveFrame(state: LiveState, now: number, o: FrameOptions): string[] {
  if (state.hosts.length === 0) return [];
  const maxLines = Math.max(2, Math.floor(o.rows / 2));
  const shown = state.hosts.length > maxLines ? state.hosts.slice(0, maxLines - 1) : state.hosts;
  const width = Math.max(...shown.map((h) => cellWidth(clean(h.host))));
  const frames = o.unicode ? SPINNER.unicode : SPINNER.ascii;
  const spin = frames[Math.floor(now / SPINNER_FRAME_MS) % frames.length]!;
  const limit = Math.max(1, o.columns - 1);
  const lines = shown.map((h) =>
    fitSegments(
      [
        { text: h.long ? spin : ' ', sgr: '36' },
        { text: ' ' },
        { text: padCells(clean(h.host), width), sgr: '1' },
        { text: `  ${elapsed(now - h.since).padStart(5)}  `, sgr: '2' },
        { text: clean(h.doing) },
      ],
      limit,
      o,
    ),
  );
  if (shown.length < state.hosts.length) {
    const more = state.hosts.length - shown.length;
    const long = state.hosts.slice(shown.length).some((h) => h.long);
    lines.push(
      fitSegments(
        [
          { text: long ? spin : ' ', sgr: '36' },
          { text: ` and ${more} more host${more === 1 ? '' : 's'} at work` },
        ],
        limit,
        o,
      ),
    );
  }
  return lines;
}

/** `4s`, `1m05s`, `2h03m`. */
export function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Control characters (an escape sequence in a task name) would break the block: shown as spaces. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

interface Segment {
  text: string;
  /** Its SGR parameters when colour is on. */
  sgr?: string;
}

/** Segments cut to `limit` terminal cells (with an ellipsis when cut), then painted. */
function fitSegments(segments: Segment[], limit: number, o: FrameOptions): string {
  const total = segments.reduce((n, s) => n + cellWidth(s.text), 0);
  const ellipsis = o.unicode ? '…' : '...';
  const cut = total > limit;
  let room = cut ? limit - ellipsis.length : limit;
  const out: Segment[] = [];
  for (const s of segments) {
    if (room <= 0) break;
    const text = takeCells(s.text, room);
    room -= cellWidth(text);
    out.push({ ...s, text });
  }
  if (cut) out.push({ text: ellipsis.slice(0, limit) });
  return out
    .filter((s) => s.text.length > 0)
    .map((s) => (o.color && s.sgr ? `\x1b[${s.sgr}m${s.text}\x1b[0m` : s.text))
    .join('');
}

/** The longest start of `text` that fits in `cells` terminal cells. */
function takeCells(text: string, cells: number): string {
  let used = 0;
  let out = '';
  for (const ch of text) {
    const w = charWidth(ch.codePointAt(0)!);
    if (used + w > cells) break;
    used += w;
    out += ch;
  }
  return out;
}

function padCells(text: string, cells: number): string {
  return text + ' '.repeat(Math.max(0, cells - cellWidth(text)));
}

/** How many terminal cells text takes (wide East Asian characters and emoji take two). */
export function cellWidth(text: string): number {
  let n = 0;
  for (const ch of text) n += charWidth(ch.codePointAt(0)!);
  return n;
}

function charWidth(cp: number): number {
  // Combining marks and zero-width characters.
  if (
    (cp >= 0x0300 && cp <= 0x036f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f)
  )
    return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}
