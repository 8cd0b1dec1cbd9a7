/** How often a wait looks again. */
const POLL_MS = 300;

/** Runs `look` until it gives a value or `seconds` are up; the last look's value. */
export async function until<T>(
  seconds: number,
  look: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const deadline = performance.now() + seconds * 1000;
  for (;;) {
    const v = await look();
    if (v !== undefined || performance.now() >= deadline) return v;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
