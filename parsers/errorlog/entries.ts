/**
 * The second pass over an ERRORLOG: entries → events, one at a time. It merges
 * `Error: N, Severity: S, State: T.` with the message line that follows (a look-ahead of one
 * entry), converts local time to UTC with the adjustment in force, infers the EventID
 * (infer.ts) and builds the event (to-event.ts).
 */
import { localToUtcIso, type LocalTime } from './entry-line.js';
import { adjustmentOf, type ErrorlogHeader } from './facts.js';
import type { Findings } from './findings.js';
import { entryText, type RawEntry } from './group.js';
import { inferMssqlEvent, inferMssqlEventAs, parseErrorLine } from './infer.js';
import { toEvent } from './to-event.js';
import type { ErrorlogEntry } from './types.js';

/** Backwards clock jumps larger than this between consecutive entries are reported. */
const BACKWARDS_JUMP_REPORT_MS = 5 * 60_000;

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

export class EntryBuilder {
  private pending: RawEntry | undefined;
  /** The adjustment in force: the last valid one at or before the entry; before the first, the first. */
  private minutes: number;
  private prevMs: number | undefined;
  private readonly toUtc = utcConverter();

  private readonly header: ErrorlogHeader;
  private readonly out: Findings;

  constructor(header: ErrorlogHeader, out: Findings) {
    this.header = header;
    this.out = out;
    this.minutes = header.initialMinutes;
  }

  /** Adds the next entry of the file; the finished events go to `ready`. */
  push(r: RawEntry, ready: ErrorlogEntry[]): void {
    const pending = this.pending;
    this.pending = r;
    if (pending) this.build(pending, r, ready);
  }

  /** The last entry of the file. */
  end(ready: ErrorlogEntry[]): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) this.build(pending, undefined, ready);
  }

  private follow(r: RawEntry): void {
    const m = adjustmentOf(r);
    if (typeof m === 'number') this.minutes = m;
  }

  private build(r: RawEntry, next: RawEntry | undefined, ready: ErrorlogEntry[]): void {
    this.follow(r);
    const minutes = this.minutes;
    let text = entryText(r);
    let lineSpan = r.lineCount;
    let err: ErrorlogEntry['error'];
    if (r.head.layout === 'errorlog') {
      const el = parseErrorLine(text);
      if (el) {
        err = el;
        // The message line follows with the same source; merge it (an `Error:` line followed
        // by another `Error:` line stays alone).
        if (next && next.head.source === r.head.source && next.head.layout === 'errorlog' && !parseErrorLine(entryText(next))) {
          text = entryText(next);
          lineSpan += next.lineCount;
          this.pending = undefined;
        } else {
          text = '';
        }
      }
    }
    // A merged entry's adjustment applies from the entry after it.
    if (next && this.pending === undefined) this.follow(next);
    const utc = this.toUtc(r.head.time, minutes);
    if (utc === undefined) {
      this.out.error('BAD_TIMESTAMP', r.line, r.offset, `impossible timestamp '${r.head.time.text}'; entry skipped`);
      return;
    }
    const { iso: utcTime, ms } = utc;
    if (this.prevMs !== undefined && this.prevMs - ms > BACKWARDS_JUMP_REPORT_MS) {
      this.out.diag('TIME_NOT_MONOTONIC', r.line, r.offset, `time goes back ${Math.round((this.prevMs - ms) / 60_000)} minutes from the previous entry`);
    }
    this.prevMs = ms;
    ready.push(this.entryOf(r, text, lineSpan, err, utcTime));
  }

  private entryOf(r: RawEntry, text: string, lineSpan: number, err: ErrorlogEntry['error'], utcTime: string): ErrorlogEntry {
    const { provider, computer, basis } = this.header;
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
    const source = r.head.source;
    const localTime = r.head.time.text;
    const entry: ErrorlogEntry = {
      line: r.line,
      offset: r.offset,
      lineCount: lineSpan,
      localTime,
      utcTime,
      timeBasis: basis,
      source,
      text,
      eventId,
      data,
      event: toEvent({ provider, computer, eventId, utcTime, data, source, localTime, timeBasis: basis, line: r.line, text, error: err }),
      origin: { kind: 'errorlog', line: r.line, offset: r.offset },
    };
    if (err) entry.error = err;
    if (r.head.agent) entry.agent = r.head.agent;
    return entry;
  }
}
