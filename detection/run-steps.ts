/**
 * Drives a stepwise pure parser (`errorlogSteps`, a generator that pauses between slices)
 * from async code: the event loop gets a turn at every pause, so a Ctrl-C (an aborted
 * signal) is seen within one slice and the work stops there instead of at the end of a
 * 512 MiB file.
 */

/** Gives the event loop one turn (signal handlers, I/O callbacks run). */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `steps` to its result. When `signal` aborts, stops at the next pause and throws the
 * signal's reason. `minPauseMs`: pauses closer together than this skip the turn (a small
 * file costs no turns at all).
 */
export async function runSteps<T>(steps: Generator<void, T>, signal?: AbortSignal, minPauseMs = 50): Promise<T> {
  let last = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - last < minPauseMs) continue;
    await turn();
    last = performance.now();
    signal?.throwIfAborted();
  }
}
