/**
 * The first line of an entry and its timestamp.
 *
 *   2022-05-09 17:21:29.82 spid9s      Server name is 'DESKTOP-JJ4KJ3L'. ...
 *   └──── local time ────┘ └ source ┘  └ text ...
 *
 * SQL Server pads the source column to 12 characters; the text starts after the padding.
 * SQLAGENT.OUT lines look like `2019-03-14 22:45:14 - ? [100] text`.
 */

const ERRORLOG_HEAD = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{2,3}) (\S+)(?: +(.*))?$/s;
const SQLAGENT_HEAD = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) - (\S) \[(\d+)\] ?(.*)$/s;

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Milliseconds (centiseconds × 10 for the usual `.cc`). */
  millis: number;
  /** As written. */
  text: string;
}

export interface HeadLine {
  layout: 'errorlog' | 'sqlagent';
  time: LocalTime;
  source: string;
  text: string;
  agent?: { level: string; messageId: number };
}

function toLocal(m: RegExpExecArray, withFraction: boolean): LocalTime {
  const n = (i: number): number => Number(m[i] ?? '0');
  const frac = withFraction ? (m[7] ?? '0') : '0';
  const millis = Number(frac.padEnd(3, '0').slice(0, 3));
  const text = withFraction ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}.${frac}` : `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}`;
  return { year: n(1), month: n(2), day: n(3), hour: n(4), minute: n(5), second: n(6), millis, text };
}

/** Parses the head of an entry, or `undefined` for a continuation line. */
export function parseHeadLine(line: string): HeadLine | undefined {
  // Cheap pre-check: every head starts with a digit and has '-' at index 4.
  if (line.length < 19 || line.charCodeAt(4) !== 0x2d) return undefined;
  const e = ERRORLOG_HEAD.exec(line);
  if (e) return { layout: 'errorlog', time: toLocal(e, true), source: e[8] ?? '', text: (e[9] ?? '').trimEnd() };
  const a = SQLAGENT_HEAD.exec(line);
  if (a) {
    return {
      layout: 'sqlagent',
      time: toLocal(a, false),
      source: 'SQLAgent',
      text: (a[9] ?? '').trimEnd(),
      agent: { level: a[7] ?? '', messageId: Number(a[8] ?? '0') },
    };
  }
  return undefined;
}

/**
 * Local time minus the UTC adjustment → ISO-8601 UTC with 7 fractional digits, or
 * `undefined` for an impossible date (month 13, 30 February, hour 25, ...).
 */
export function localToUtcIso(t: LocalTime, utcAdjustmentMinutes: number): string | undefined {
  // Years before 1900 are not SQL Server times (and Date.UTC maps 0..99 to 19xx).
  if (t.year < 1900 || t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31) return undefined;
  if (t.hour > 23 || t.minute > 59 || t.second > 59) return undefined;
  const ms = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second, t.millis);
  const check = new Date(ms);
  if (check.getUTCDate() !== t.day || check.getUTCMonth() !== t.month - 1) return undefined;
  const iso = new Date(ms - utcAdjustmentMinutes * 60_000).toISOString();
  return `${iso.slice(0, -1)}0000Z`;
}

/** `-8:00` → -480, `3:00` → 180, `5:30` → 330, `+5:45` → 345; undefined if malformed. */
export function parseUtcAdjustment(s: string): number | undefined {
  const m = /^([+-]?)(\d{1,2}):(\d{2})$/.exec(s.trim());
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[3]) > 59) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}
