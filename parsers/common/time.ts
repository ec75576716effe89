/**
 * Windows time decoding: FILETIME keeps its 100 ns ticks (7 fractional digits).
 */

/** 100 ns ticks between 1601-01-01 and 1970-01-01. */
export const FILETIME_UNIX_EPOCH_TICKS = 116_444_736_000_000_000n;
const TICKS_PER_MS = 10_000n;

/**
 * FILETIME (100 ns ticks since 1601-01-01 UTC) → ISO-8601 UTC with 7 fractional digits,
 * e.g. `2017-05-19T02:02:36.2031250Z`. Out-of-range values render with years clamped by
 * JavaScript's Date range; `undefined` for values Date cannot represent.
 */
export function filetimeToIso(ticks: bigint): string | undefined {
  const sinceUnix = ticks - FILETIME_UNIX_EPOCH_TICKS;
  let ms = sinceUnix / TICKS_PER_MS;
  let rem = sinceUnix % TICKS_PER_MS;
  if (rem < 0n) {
    rem += TICKS_PER_MS;
    ms -= 1n;
  }
  const msNum = Number(ms);
  if (!Number.isFinite(msNum) || Math.abs(msNum) > 8.64e15) return undefined;
  const d = new Date(msNum);
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ (or ±YYYYYY for far years)
  const base = iso.slice(0, -1); // drop Z
  return `${base}${rem.toString().padStart(4, '0')}Z`;
}

/** ISO string with 7 fractional digits → with `digits` fractional digits (truncating). */
export function isoWithPrecision(iso7: string, digits: number): string {
  const m = /^(.*\.)(\d+)Z$/.exec(iso7);
  if (!m) return iso7;
  const frac = (m[2] ?? '').padEnd(7, '0').slice(0, digits);
  return digits === 0 ? `${(m[1] ?? '').slice(0, -1)}Z` : `${m[1] ?? ''}${frac}Z`;
}
