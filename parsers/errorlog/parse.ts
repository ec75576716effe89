/**
 * `parseErrorlog(bytes)`: a SQL Server ERRORLOG (or SQLAGENT.OUT) → entries, each also an
 * event in the EVTX model. Pure over bytes; never throws on bad input: anomalies go to
 * `diagnostics`, entries that cannot become events to `errors`.
 *
 * Phases: decode lines (decode.ts) → group into entries (head line + continuations) →
 * read the banner (banner.ts) → merge `Error: N, Severity: S, State: T.` with the message
 * line that follows → convert local time to UTC → infer the EventID (infer.ts) → event.
 */
import { detectEncoding, readPhysicalLines } from './decode.js';
import { parseHeadLine, localToUtcIso, parseUtcAdjustment, type HeadLine, type LocalTime } from './entry-line.js';
import { DEFAULT_INSTANCE, hostOf, instanceOf, providerOf, readBannerFact } from './banner.js';
import { inferMssqlEvent, inferMssqlEventAs, parseErrorLine } from './infer.js';
import { toEvent } from './to-event.js';
import { ERRORLOG_SLICE_LINES, MAX_CONTINUATION_LINES, MAX_DIAGNOSTICS, MAX_ENTRY_CHARS, MAX_ERRORS, MAX_UTC_ADJUSTMENT_MINUTES } from './limits.js';
import type { ErrorlogBanner, ErrorlogDiagnostic, ErrorlogDiagnosticCode, ErrorlogEntry, ErrorlogError, ErrorlogLayout, ErrorlogParseOptions, ErrorlogParseResult, TimeBasis } from './types.js';

interface RawEntry {
  line: number;
  offset: number;
  lineCount: number;
  head: HeadLine;
  /** Continuation lines (most entries have none: no array then). */
  parts?: string[];
  chars: number;
  /** The joined text, computed once. */
  text?: string;
  capped: boolean;
}

/** Backwards clock jumps larger than this between consecutive entries are reported. */
const BACKWARDS_JUMP_REPORT_MS = 5 * 60_000;

class Collector {
  readonly diagnostics: ErrorlogDiagnostic[] = [];
  readonly errors: ErrorlogError[] = [];
  private droppedDiagnostics = 0;
  private droppedErrors = 0;

  diag(code: ErrorlogDiagnosticCode, line: number, offset: number, message: string): void {
    if (this.diagnostics.length < MAX_DIAGNOSTICS) this.diagnostics.push({ code, line, offset, message });
    else this.droppedDiagnostics++;
  }

  error(code: ErrorlogError['code'], line: number, offset: number, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ code, line, offset, message });
    else this.droppedErrors++;
  }

  finish(): void {
    if (this.droppedDiagnostics > 0) {
      this.diagnostics.push({
        code: 'TOO_MANY_DIAGNOSTICS',
        line: 0,
        offset: 0,
        message: `${this.droppedDiagnostics} more diagnostics not listed (MAX_DIAGNOSTICS = ${MAX_DIAGNOSTICS})`,
      });
    }
    if (this.droppedErrors > 0) {
      this.errors.push({ code: 'TOO_MANY_ERRORS', line: 0, offset: 0, message: `${this.droppedErrors} more errors not listed (MAX_ERRORS = ${MAX_ERRORS})` });
    }
  }
}

/** Groups physical lines into entries; pauses (yields) every `ERRORLOG_SLICE_LINES` lines. */
function* groupEntries(bytes: Uint8Array, out: Collector): Generator<void, { raw: RawEntry[]; lineCount: number; encoding: ReturnType<typeof detectEncoding> }> {
  const encoding = detectEncoding(bytes);
  if (encoding.encoding === 'utf-16le') out.diag('NO_BOM_UTF16', 0, 0, 'UTF-16LE text without a byte-order mark (decoded as UTF-16LE)');
  if (encoding.encoding === 'utf-16be-bom') out.diag('UTF16_BIG_ENDIAN', 0, 0, 'UTF-16 big-endian (SQL Server writes little-endian); decoded as big-endian');
  const raw: RawEntry[] = [];
  let current: RawEntry | undefined;
  let lineCount = 0;
  let orphans = 0;
  let firstOrphan: { line: number; offset: number } | undefined;
  const feed = (text: string, offset: number): void => {
    const lineNo = ++lineCount;
    const head = parseHeadLine(text);
    if (head) {
      current = { line: lineNo, offset, lineCount: 1, head, chars: head.text.length, capped: false };
      raw.push(current);
      return;
    }
    if (!current) {
      if (text.trim() !== '') {
        orphans++;
        firstOrphan ??= { line: lineNo, offset };
      }
      return;
    }
    current.lineCount++;
    if (current.capped) return;
    // Continuation line: keep leading whitespace (startup parameters are tab-indented).
    const cont = text.trimEnd();
    if ((current.parts?.length ?? 0) >= MAX_CONTINUATION_LINES || current.chars + cont.length + 1 > MAX_ENTRY_CHARS) {
      current.capped = true;
      out.diag('ENTRY_TOO_LONG', lineNo, offset, `entry at line ${current.line} cut: more than MAX_CONTINUATION_LINES/MAX_ENTRY_CHARS`);
      return;
    }
    (current.parts ??= []).push(cont);
    current.chars += cont.length + 1;
  };
  let sliceEnd = ERRORLOG_SLICE_LINES;
  for (const pl of readPhysicalLines(bytes, encoding)) {
    if (lineCount >= sliceEnd) {
      sliceEnd = lineCount + ERRORLOG_SLICE_LINES;
      yield;
    }
    const at = lineCount + 1;
    if (pl.truncated) out.diag('LINE_TOO_LONG', at, pl.offset, `line cut to its first characters (MAX_LINE_CHARS)`);
    if (pl.invalid) out.diag('INVALID_ENCODING', at, pl.offset, `byte sequence invalid in ${encoding.encoding} (replaced by U+FFFD)`);
    if (pl.hadNul) out.diag('NUL_CHARACTERS', at, pl.offset, 'NUL characters removed from the line');
    if (pl.looks8bit) {
      // Recovery (hostile test "mixed encodings"): 8-bit text appended to a UTF-16 file
      // would otherwise be glued to the previous entry as one garbage continuation line.
      // Re-read those bytes as UTF-8 lines so they neither corrupt that entry nor vanish.
      out.diag('ENCODING_MISMATCH', at, pl.offset, `8-bit (ASCII/UTF-8) text inside a ${encoding.encoding} file: re-read as UTF-8`);
      const chunk = bytes.subarray(pl.offset, pl.offset + pl.byteLength);
      for (const sub of readPhysicalLines(chunk, { encoding: 'utf-8', bomBytes: 0 })) feed(sub.text, pl.offset + sub.offset);
      continue;
    }
    feed(pl.text, pl.offset);
  }
  if (firstOrphan) {
    out.diag('ORPHAN_LINES', firstOrphan.line, firstOrphan.offset, `${orphans} line(s) before the first timestamped entry (file starts mid-entry?)`);
  }
  return { raw, lineCount, encoding };
}

function entryText(r: RawEntry): string {
  r.text ??= r.parts ? `${r.head.text}\n${r.parts.join('\n')}`.trimEnd() : r.head.text;
  return r.text;
}

interface BannerRead {
  banner: ErrorlogBanner;
  instanceFromParams?: string;
  /** Entry index → UTC adjustment in minutes, in file order. */
  adjustments: { index: number; minutes: number }[];
}

function readBanner(raw: RawEntry[], out: Collector): BannerRead {
  const banner: ErrorlogBanner = {};
  const adjustments: { index: number; minutes: number }[] = [];
  let instanceFromParams: string | undefined;
  raw.forEach((r, index) => {
    if (r.head.layout !== 'errorlog') return;
    const fact = readBannerFact(entryText(r));
    if (!fact) return;
    switch (fact.key) {
      case 'utcAdjustment': {
        const minutes = parseUtcAdjustment(fact.value);
        if (minutes === undefined || Math.abs(minutes) > MAX_UTC_ADJUSTMENT_MINUTES) {
          out.diag('BAD_UTC_ADJUSTMENT', r.line, r.offset, `UTC adjustment '${fact.value}' is not a time zone offset; ignored`);
          return;
        }
        const last = adjustments.at(-1);
        if (last && last.minutes !== minutes) {
          out.diag('UTC_ADJUSTMENT_CHANGED', r.line, r.offset, `UTC adjustment changes from ${last.minutes} to ${minutes} minutes here`);
        }
        adjustments.push({ index, minutes });
        banner.utcAdjustmentMinutes ??= minutes;
        return;
      }
      case 'instanceFromParams':
        instanceFromParams ??= fact.value;
        return;
      default:
        banner[fact.key] ??= fact.value;
    }
  });
  const read: BannerRead = { banner, adjustments };
  if (instanceFromParams !== undefined) read.instanceFromParams = instanceFromParams;
  return read;
}

/** Provider and computer for a SQLAGENT.OUT: `SQLAgent$NAME` / `SQLSERVERAGENT`. */
function agentIdentity(raw: RawEntry[]): { provider?: string; computer?: string } {
  const out: { provider?: string; computer?: string } = {};
  for (const r of raw.slice(0, 200)) {
    const t = r.head.text;
    const p = /\b(SQLAgent\$[A-Za-z0-9_$#@]+)\b/.exec(t);
    if (p && !out.provider) out.provider = p[1] ?? '';
    const c = /^Local computer is (\S+) running/.exec(t);
    if (c && !out.computer) out.computer = c[1] ?? '';
  }
  return out;
}

/** localToUtcIso with a one-entry cache: consecutive entries mostly share their second. */
function utcConverter(): (t: LocalTime, minutes: number) => { iso: string; ms: number } | undefined {
  let key = '';
  let base: { iso: string; ms: number } | undefined;
  return (t, minutes) => {
    const k = `${t.text.slice(0, 19)} ${minutes}`;
    if (k !== key) {
      key = k;
      const iso = localToUtcIso({ ...t, millis: 0 }, minutes);
      base = iso === undefined ? undefined : { iso: iso.slice(0, 19), ms: Date.parse(iso) };
    }
    if (!base) return undefined;
    return { iso: `${base.iso}.${String(t.millis).padStart(3, '0')}0000Z`, ms: base.ms + t.millis };
  };
}

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
 * lines or entries and returns the result when done. A caller that must stay responsive
 * (Ctrl-C within a second on a 512 MiB log) gives the event loop a turn at each pause, or
 * stops there; the parser itself stays a pure function of the bytes.
 */
export function* errorlogSteps(bytes: Uint8Array, opts: ErrorlogParseOptions = {}): Generator<void, ErrorlogParseResult> {
  const out = new Collector();
  const { raw, lineCount, encoding } = yield* groupEntries(bytes, out);
  const agentHeads = raw.filter((r) => r.head.layout === 'sqlagent').length;
  const layout: ErrorlogLayout = agentHeads > raw.length / 2 ? 'sqlagent' : 'errorlog';
  if (layout === 'sqlagent') out.diag('SQLAGENT_LOG', 0, 0, 'SQL Server Agent log layout (SQLAGENT.OUT): no UTC adjustment and no event IDs');
  if (raw.length === 0 && lineCount > 0) {
    out.error('NOT_AN_ERRORLOG', 1, encoding.bomBytes, `no line starts with an ERRORLOG timestamp (${lineCount} lines read)`);
  }

  const { banner, instanceFromParams, adjustments } = readBanner(raw, out);

  // Identity of the events.
  let provider = opts.provider;
  let computer = opts.computer;
  if (layout === 'sqlagent') {
    const id = agentIdentity(raw);
    provider ??= id.provider;
    computer ??= id.computer;
    if (provider === undefined) {
      provider = 'SQLSERVERAGENT';
      out.diag('PROVIDER_ASSUMED', 0, 0, 'no SQLAgent$NAME in the log: provider assumed SQLSERVERAGENT (default instance)');
    }
  } else if (provider === undefined) {
    const instance = instanceOf(banner, instanceFromParams);
    if (instance !== undefined) {
      banner.instanceName = instance;
      provider = providerOf(instance);
    } else {
      provider = DEFAULT_INSTANCE;
      out.diag('PROVIDER_ASSUMED', 0, 0, `no instance name in the banner: provider assumed ${DEFAULT_INSTANCE} (pass the provider option to override)`);
    }
  }
  if (banner.instanceName === undefined && layout === 'errorlog') {
    const instance = instanceOf(banner, instanceFromParams);
    if (instance !== undefined) banner.instanceName = instance;
  }
  computer ??= hostOf(banner.serverName) ?? '';

  // UTC basis.
  let basis: TimeBasis = 'banner';
  let fallbackMinutes = 0;
  if (adjustments.length === 0) {
    if (opts.utcOffsetMinutes !== undefined && Number.isFinite(opts.utcOffsetMinutes)) {
      basis = 'option';
      fallbackMinutes = opts.utcOffsetMinutes;
    } else {
      basis = 'assumed-utc';
      if (raw.length > 0 && layout === 'errorlog') {
        out.diag('NO_UTC_ADJUSTMENT', 0, 0, "no 'UTC adjustment' line (banner missing or rotated away): local times kept as is and written as UTC (assumed offset 0:00)");
      } else if (raw.length > 0) {
        out.diag('NO_UTC_ADJUSTMENT', 0, 0, 'SQLAGENT.OUT has no UTC adjustment: local times kept as is and written as UTC (assumed offset 0:00)');
      }
    }
  }

  const entries: ErrorlogEntry[] = [];
  const toUtc = utcConverter();
  let adjIdx = 0;
  let prevMs: number | undefined;
  let sliceEnd = ERRORLOG_SLICE_LINES;
  for (let i = 0; i < raw.length; i++) {
    if (i >= sliceEnd) {
      sliceEnd = i + ERRORLOG_SLICE_LINES;
      yield;
    }
    const r = raw[i] as RawEntry;
    // The adjustment in force: the last one at or before this entry; entries before the
    // first one (the version lines above it) use the first.
    while (adjIdx + 1 < adjustments.length && (adjustments[adjIdx + 1]?.index ?? Infinity) <= i) adjIdx++;
    const minutes = adjustments.length > 0 ? (adjustments[adjIdx]?.minutes ?? 0) : fallbackMinutes;

    let text = entryText(r);
    let lineSpan = r.lineCount;
    let err: ErrorlogEntry['error'];
    if (r.head.layout === 'errorlog') {
      const el = parseErrorLine(text);
      const next = raw[i + 1];
      if (el) {
        err = el;
        // The message line follows with the same source; merge it (an `Error:` line followed
        // by another `Error:` line stays alone).
        if (next && next.head.source === r.head.source && next.head.layout === 'errorlog' && !parseErrorLine(entryText(next))) {
          text = entryText(next);
          lineSpan += next.lineCount;
          i++;
        } else {
          text = '';
        }
      }
    }
    const utc = toUtc(r.head.time, minutes);
    if (utc === undefined) {
      out.error('BAD_TIMESTAMP', r.line, r.offset, `impossible timestamp '${r.head.time.text}'; entry skipped`);
      continue;
    }
    const { iso: utcTime, ms } = utc;
    if (prevMs !== undefined && prevMs - ms > BACKWARDS_JUMP_REPORT_MS) {
      out.diag('TIME_NOT_MONOTONIC', r.line, r.offset, `time goes back ${Math.round((prevMs - ms) / 60_000)} minutes from the previous entry`);
    }
    prevMs = ms;

    let eventId = 0;
    let data: string[] = text === '' ? [] : [text];
    if (r.head.layout === 'errorlog') {
      if (err) {
        eventId = err.number;
        data = inferMssqlEventAs(err.number, text) ?? data;
      } else {
        const inferred = inferMssqlEvent(text);
        if (inferred) {
          eventId = inferred.eventId;
          data = inferred.data;
        }
      }
    }
    const entryBasis: TimeBasis = adjustments.length > 0 ? 'banner' : basis;
    const entry: ErrorlogEntry = {
      line: r.line,
      offset: r.offset,
      lineCount: lineSpan,
      localTime: r.head.time.text,
      utcTime,
      timeBasis: entryBasis,
      source: r.head.source,
      text,
      eventId,
      data,
      event: toEvent({
        provider,
        computer,
        eventId,
        utcTime,
        data,
        source: r.head.source,
        localTime: r.head.time.text,
        timeBasis: entryBasis,
        line: r.line,
        text,
        error: err,
      }),
      origin: { kind: 'errorlog', line: r.line, offset: r.offset },
    };
    if (err) entry.error = err;
    if (r.head.agent) entry.agent = r.head.agent;
    entries.push(entry);
  }
  out.finish();
  return {
    encoding: encoding.encoding,
    layout,
    banner,
    provider,
    computer,
    entries,
    lineCount,
    diagnostics: out.diagnostics,
    errors: out.errors,
  };
}
