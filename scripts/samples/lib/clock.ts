/**
 * Time helpers for the sample stories. Story times are UTC; SQL Server writes its ERRORLOG and
 * its catalog dates in server LOCAL time (the banner's `UTC adjustment` line gives the offset).
 */

/** A deterministic pseudo-random stream (mulberry32), so "jitter" never needs a clock. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Parses `2026-03-11T01:12:03.412Z` (ms precision) to epoch ms. */
export function ms(iso: string): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad time ${iso}`);
  return t;
}

/** Epoch ms → `2026-03-11T01:12:03.412Z`. */
export function isoMs(t: number): string {
  return new Date(t).toISOString();
}

/** Epoch ms plus 4 extra tick digits → EVTX-precision ISO (`…03.4123456Z`). */
export function isoTicks(t: number, subMsTicks: number): string {
  const base = new Date(t).toISOString().slice(0, -1);
  return `${base}${String(subMsTicks % 10000).padStart(4, '0')}Z`;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function localParts(t: number, utcOffsetMinutes: number): Date {
  return new Date(t + utcOffsetMinutes * 60_000);
}

/** ERRORLOG timestamp: local time, centiseconds (`2026-03-11 02:12:03.41`). */
export function errorlogTime(t: number, utcOffsetMinutes: number): string {
  const d = localParts(t, utcOffsetMinutes);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(Math.floor(d.getUTCMilliseconds() / 10))}`;
}

/** SQL Server datetime as exported (`2026-03-11 02:26:02.447`, local time, ms). */
export function sqlDateTime(t: number, utcOffsetMinutes: number): string {
  const d = localParts(t, utcOffsetMinutes);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** Sysmon's UtcTime field (`2026-03-11 01:26:15.224`, UTC, ms). */
export function sysmonUtc(t: number): string {
  return sqlDateTime(t, 0);
}

/** `UTC adjustment: 1:00` / `-6:00`, as the ERRORLOG banner writes it. */
export function utcAdjustment(utcOffsetMinutes: number): string {
  const sign = utcOffsetMinutes < 0 ? '-' : '';
  const a = Math.abs(utcOffsetMinutes);
  return `${sign}${Math.floor(a / 60)}:${pad(a % 60)}`;
}
