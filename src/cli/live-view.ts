import type { EngineEvent } from '../engine/events';
import { EMPTY_LIVE_STATE, liveFrame, liveStep, type LiveState } from '../report/live-progress';
import type { Io } from './io';
import type { LiveArea } from './terminal';

/** How often the live block may be redrawn: ten frames a second at most. */
export const FRAME_MS = 100;

export interface LiveView {
  /** Takes an event before the text reporter prints it; removes the block before the recap. */
  update(event: EngineEvent): void;
  /** Removes the block and shows the cursor; safe to call twice. */
  stop(): void;
}

/**
 * The live progress of a run in `area`: the frame (pure, live-progress.ts)
 * is recomputed on a timer and redrawn only when it differs from the last.
 */
export function startLiveView(
  area: LiveArea,
  redact: (text: string) => string,
  now: () => number = () => performance.now(),
): LiveView {
  let state: LiveState = EMPTY_LIVE_STATE;
  let last = '';
  let stopped = false;
  const draw = () => {
    const lines = liveFrame(state, now(), area);
    const key = lines.join('\n');
    if (key === last) return;
    last = key;
    area.show(lines);
  };
  const timer = setInterval(draw, FRAME_MS);
  timer.unref();
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    area.close();
  };
  return {
    update(event) {
      if (stopped) return;
      if (event.type === 'recap') {
        stop();
        return;
      }
      // Redacted before the frame can cut it to the terminal's width.
      const clean = event.type === 'task-start' ? { ...event, task: redact(event.task) } : event;
      state = liveStep(state, clean, now());
    },
    stop,
  };
}

/**
 * The reporter `print` behind a live view when `stream` is a live terminal,
 * else `print` alone (the plain lines, no escape codes). `stop` must run when
 * the command ends, however it ends.
 */
export function withLiveView(
  io: Io,
  stream: 'out' | 'err',
  print: (event: EngineEvent) => void,
): { emit: (event: EngineEvent) => void; stop: () => void } {
  const area = io.liveArea?.(stream);
  if (!area) return { emit: print, stop: () => undefined };
  const view = startLiveView(area, (text) => io.redactor.redact(text));
  return {
    emit: (event) => {
      view.update(event);
      print(event);
    },
    stop: view.stop,
  };
}
