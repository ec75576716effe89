/**
 * The ERRORLOG parser as a machine that does no I/O: it asks for windows of bytes (`read`
 * steps), hands out entries one at a time (`entry` steps) and pauses (`pause` steps) every
 * ERRORLOG_SLICE_LINES lines. The drivers in parse.ts answer the reads from bytes in memory
 * or from a ByteSource. Memory is one window, one entry (plus the one after it, for the
 * `Error:` merge) and capped diagnostics, whatever the file's size.
 *
 * Two passes over the file: the first reads the whole-file facts (facts.ts), the second
 * builds the events (entries.ts). Both split and group lines the same way.
 */
import { SNIFF_BYTES } from '../common/text.js';
import { detectEncoding, type DetectedEncoding } from './decode.js';
import { EntryBuilder } from './entries.js';
import { FactsPass, type ErrorlogHeader } from './facts.js';
import { Findings } from './findings.js';
import { EntryGrouper } from './group.js';
import { ERRORLOG_SLICE_LINES } from './limits.js';
import { LineSplitter, type SplitLine } from './line-split.js';
import type { ErrorlogEntry, ErrorlogParseOptions, ErrorlogParseResult } from './types.js';

/** What the machine asks for or hands out. A `read` step is answered with the bytes (fewer at the end of the file). */
export type ErrorlogStep = { kind: 'read'; offset: number; length: number } | { kind: 'pause' } | { kind: 'header'; header: ErrorlogHeader } | { kind: 'entry'; entry: ErrorlogEntry };

/** The result without its entries (they were handed out one at a time). */
export type ErrorlogSummary = Omit<ErrorlogParseResult, 'entries'>;

export type Machine<T> = Generator<ErrorlogStep, T, Uint8Array | undefined>;

/** The parser over a file of `size` bytes, read in windows of `windowBytes`. */
export function* errorlogMachine(size: number, opts: ErrorlogParseOptions, windowBytes: number, onLine?: LineHook): Machine<ErrorlogSummary> {
  const window = Math.max(1, Math.floor(windowBytes));
  const { encoding, out } = yield* prologue(size);

  const facts = new FactsPass();
  const first = new EntryGrouper(out, (r) => facts.add(r));
  yield* walk({ size, encoding, window, grouper: first, out, flush: nothing, onLine, canReread: true });
  first.end();
  const header = facts.finish(out, encoding, first.lineCount, opts);
  yield { kind: 'header', header };

  const builder = new EntryBuilder(header, out);
  const ready: ErrorlogEntry[] = [];
  const second = new EntryGrouper(undefined, (r) => builder.push(r, ready));
  function* flush(): Machine<void> {
    for (const entry of ready) yield { kind: 'entry', entry };
    ready.length = 0;
  }
  yield* walk({ size, encoding, window, grouper: second, out: undefined, flush, onLine: undefined, canReread: true });
  second.end();
  builder.end(ready);
  yield* flush();
  out.finish();
  const { banner, layout, provider, computer, lineCount } = header;
  return { encoding: encoding.encoding, layout, banner, provider, computer, lineCount, diagnostics: out.diagnostics, errors: out.errors };
}

/** The encoding, from the first bytes (read again by the passes: they start after any BOM). */
export function* prologue(size: number): Machine<{ encoding: DetectedEncoding; out: Findings }> {
  const head = size > 0 ? ((yield { kind: 'read', offset: 0, length: Math.min(size, SNIFF_BYTES) }) ?? new Uint8Array(0)) : new Uint8Array(0);
  const encoding = detectEncoding(head);
  const out = new Findings();
  if (encoding.encoding === 'utf-16le') out.diag('NO_BOM_UTF16', 0, 0, 'UTF-16LE text without a byte-order mark (decoded as UTF-16LE)');
  if (encoding.encoding === 'utf-16be-bom') out.diag('UTF16_BIG_ENDIAN', 0, 0, 'UTF-16 big-endian (SQL Server writes little-endian); decoded as big-endian');
  return { encoding, out };
}

export function* nothing(): Machine<void> {
  // The first pass hands out no entries.
}

export interface Walk {
  size: number;
  encoding: DetectedEncoding;
  window: number;
  grouper: EntryGrouper;
  /** Where line diagnostics go (undefined on the second pass: the first reported them). */
  out: Findings | undefined;
  /** Hands out what the grouper finished; called after every window. */
  flush: () => Machine<void>;
  onLine: LineHook | undefined;
  /** False for a forward-only source: a line already passed cannot be read again. */
  canReread: boolean;
}

/** Sees every line of the file once (first pass), with its 1-based number: text the entries may not keep whole. */
export type LineHook = (text: string, line: number) => void;

function feed(w: Walk, text: string, offset: number): void {
  w.onLine?.(text, w.grouper.lineCount + 1);
  w.grouper.feed(text, offset);
}

/** One pass: every physical line of the file, window by window, into the grouper. */
export function* walk(w: Walk): Machine<void> {
  const splitter = new LineSplitter(w.encoding, w.encoding.bomBytes);
  const pause = { sliceEnd: ERRORLOG_SLICE_LINES };
  let pos = w.encoding.bomBytes;
  while (pos < w.size) {
    const bytes = yield { kind: 'read', offset: pos, length: Math.min(w.window, w.size - pos) };
    // A source that gives nothing more (the file shrank while read) ends the pass.
    if (!bytes || bytes.length === 0) break;
    pos += bytes.length;
    for (const pl of splitter.push(bytes)) {
      yield* line(w, pl, pause);
      // Entries leave as soon as they are built: none outlives a few lines (young, cheap garbage).
      yield* w.flush();
    }
  }
  for (const pl of splitter.end()) yield* line(w, pl, pause);
  yield* w.flush();
}

function* line(w: Walk, pl: SplitLine, pause: { sliceEnd: number }): Machine<void> {
  const g = w.grouper;
  if (g.lineCount >= pause.sliceEnd) {
    pause.sliceEnd = g.lineCount + ERRORLOG_SLICE_LINES;
    yield { kind: 'pause' };
  }
  const at = g.lineCount + 1;
  const out = w.out;
  if (pl.truncated) out?.diag('LINE_TOO_LONG', at, pl.offset, `line cut to its first characters (MAX_LINE_CHARS)`);
  if (pl.invalid) out?.diag('INVALID_ENCODING', at, pl.offset, `byte sequence invalid in ${w.encoding.encoding} (replaced by U+FFFD)`);
  if (pl.hadNul) out?.diag('NUL_CHARACTERS', at, pl.offset, 'NUL characters removed from the line');
  if (!pl.looks8bit) {
    feed(w, pl.text, pl.offset);
    return;
  }
  // Recovery (hostile test "mixed encodings"): 8-bit text appended to a UTF-16 file
  // would otherwise be glued to the previous entry as one garbage continuation line.
  // Re-read those bytes as UTF-8 lines so they neither corrupt that entry nor vanish.
  out?.diag('ENCODING_MISMATCH', at, pl.offset, `8-bit (ASCII/UTF-8) text inside a ${w.encoding.encoding} file: re-read as UTF-8`);
  const sub = new LineSplitter({ encoding: 'utf-8', bomBytes: 0 }, pl.offset);
  if (pl.bytes) {
    for (const s of sub.push(pl.bytes)) feed(w, s.text, s.offset);
  } else if (w.canReread) {
    // A line too long to be held: read its bytes again, window by window.
    const end = pl.offset + pl.byteLength;
    for (let pos = pl.offset; pos < end;) {
      const bytes = yield { kind: 'read', offset: pos, length: Math.min(w.window, end - pos) };
      if (!bytes || bytes.length === 0) break;
      pos += bytes.length;
      for (const s of sub.push(bytes)) feed(w, s.text, s.offset);
      yield* w.flush();
    }
  } else {
    out?.diag('ENCODING_MISMATCH', at, pl.offset, `8-bit line of ${pl.byteLength} bytes: too long to be read again from a forward-only source, dropped`);
  }
  for (const s of sub.end()) feed(w, s.text, s.offset);
}
