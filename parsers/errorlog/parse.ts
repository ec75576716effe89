/**
 * A SQL Server ERRORLOG (or SQLAGENT.OUT) → entries, each also an event in the EVTX model.
 * Pure over bytes; never throws on bad input: anomalies go to `diagnostics`, entries that
 * cannot become events to `errors`.
 *
 * Three drivers of one machine (stream.ts): `streamErrorlog` reads a ByteSource window by
 * window and hands out entries one at a time (any size of file); `parseErrorlog` and
 * `errorlogSteps` take the bytes in memory and return every entry at once.
 *
 * Phases: split lines (line-split.ts, decode.ts) → group into entries (group.ts) → first
 * pass: banner and layout (facts.ts, banner.ts) → second pass: merge `Error: N, Severity: S,
 * State: T.` with the message line that follows, convert local time to UTC, infer the
 * EventID (infer.ts), build the event (entries.ts).
 */
import type { ByteSource } from '../common/byte-source.js';
import type { ErrorlogHeader } from './facts.js';
import { ERRORLOG_WINDOW_BYTES } from './limits.js';
import { errorlogOnePass } from './one-pass.js';
import { errorlogMachine, type ErrorlogSummary, type LineHook } from './stream.js';
import type { ErrorlogEntry, ErrorlogParseOptions, ErrorlogParseResult } from './types.js';

export type { ErrorlogHeader, ErrorlogSummary };

/** Parses an ERRORLOG. `bytes` is the whole file. */
export function parseErrorlog(bytes: Uint8Array, opts: ErrorlogParseOptions = {}): ErrorlogParseResult {
  const steps = errorlogSteps(bytes, opts);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `parseErrorlog` in steps: the generator pauses (yields) after every `ERRORLOG_SLICE_LINES`
 * lines of each pass and returns the result when done. A caller that must stay responsive
 * (Ctrl-C within a second on a large log) gives the event loop a turn at each pause, or
 * stops there; the parser itself stays a pure function of the bytes.
 */
export function* errorlogSteps(bytes: Uint8Array, opts: ErrorlogParseOptions = {}, windowBytes = ERRORLOG_WINDOW_BYTES): Generator<void, ErrorlogParseResult> {
  const entries: ErrorlogEntry[] = [];
  const machine = errorlogMachine(bytes.length, opts, windowBytes);
  let reply: Uint8Array | undefined;
  for (;;) {
    const step = machine.next(reply);
    reply = undefined;
    if (step.done) {
      const s = step.value;
      return { encoding: s.encoding, layout: s.layout, banner: s.banner, provider: s.provider, computer: s.computer, entries, lineCount: s.lineCount, diagnostics: s.diagnostics, errors: s.errors };
    }
    const v = step.value;
    if (v.kind === 'read') reply = bytes.subarray(v.offset, v.offset + v.length);
    else if (v.kind === 'entry') entries.push(v.entry);
    else if (v.kind === 'pause') yield;
  }
}

export interface ErrorlogStreamOptions extends ErrorlogParseOptions {
  /** Bytes read at a time (default ERRORLOG_WINDOW_BYTES). */
  windowBytes?: number;
  /** Checked after every window and pause: once aborted, the stream throws the signal's reason. */
  signal?: AbortSignal;
  /** Called once, after the first pass, before the first entry: layout, banner, provider, computer. */
  onHeader?: (header: ErrorlogHeader) => void;
  /**
   * One pass even over a source that could be read twice (see one-pass.ts): for a reader that
   * needs no exact provider, computer or time basis (DLL names), half the reading.
   */
  onePass?: boolean;
  /** Called with every physical line (and its 1-based number) during the first pass. */
  onLine?: LineHook;
}

/** Gives the event loop one turn (a Ctrl-C handler runs) when the source answers without I/O. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The entries of the ERRORLOG in `source`, one at a time; returns the rest of the result
 * (diagnostics, errors, banner...) when done. Memory is bounded by the window and one entry.
 * A forward-only source is read in one pass (one-pass.ts), any other in two.
 */
export async function* streamErrorlog(source: ByteSource, opts: ErrorlogStreamOptions = {}): AsyncGenerator<ErrorlogEntry, ErrorlogSummary> {
  const { windowBytes = ERRORLOG_WINDOW_BYTES, signal, onHeader, onLine, onePass, ...parseOpts } = opts;
  const machine = (source.forwardOnly || onePass ? errorlogOnePass : errorlogMachine)(source.size, parseOpts, windowBytes, onLine);
  let reply: Uint8Array | undefined;
  for (;;) {
    const step = machine.next(reply);
    reply = undefined;
    if (step.done) return step.value;
    const v = step.value;
    if (v.kind === 'entry') yield v.entry;
    else if (v.kind === 'read') {
      signal?.throwIfAborted();
      reply = await source.read(v.offset, v.length);
    } else if (v.kind === 'pause') {
      await turn();
      signal?.throwIfAborted();
    } else onHeader?.(v.header);
  }
}
