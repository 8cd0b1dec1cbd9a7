import type { Io } from './io';

/**
 * Ctrl-C (or SIGTERM) for commands that change hosts. The first signal stops
 * new work gracefully: the returned signal aborts, the steps in flight finish,
 * the recap is printed, and the command exits 130. A second signal exits at
 * once (each remote step still ends atomically: its temp files are removed
 * when the connection drops).
 */
export function gracefulInterrupt(io: Io): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      io.err(`${name} again: stopping now`);
      process.exit(130);
    }
    io.err(
      `${name}: finishing the steps in flight, then stopping (press Ctrl-C again to stop at once)`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
