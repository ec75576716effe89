/** Named limits of the YARA engine. */

/**
 * libyara-wasm leaks ~11 MB of wasm memory per `run()` (more for a large file) and fails or
 * silently stops matching after ~185 runs in one module; a new module in the same thread frees
 * nothing. So each worker thread does at most this many runs, then is replaced: ~130 ms to start
 * one, against ~90 MB of heap it keeps when it has run this many times.
 */
export const MAX_RUNS_PER_WORKER = 8;
/** A YARA worker with no run for this long is ended, its memory given back. */
export const IDLE_RETIRE_MS = 300;
/**
 * Files larger than this are not YARA-scanned (diagnostic instead): the whole file is copied
 * into the wasm heap, next to the leaked memory of earlier runs.
 */
export const MAX_YARA_SCAN_BYTES = 64 * 1024 * 1024;
/** Default time budget of one scan, milliseconds. */
export const DEFAULT_YARA_TIMEOUT_MS = 30_000;
/** Time budget of one compile check (libyara-wasm compiles on every run: 60–190 ms measured). */
export const COMPILE_TIMEOUT_MS = 60_000;
