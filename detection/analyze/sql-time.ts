/**
 * SQL Server exports write datetimes in the server's local time (`2026-03-14 02:17:43.123`).
 * Converts with the UTC offset learnt from the export or the ERRORLOG banner.
 */
const SQL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

/** Local SQL datetime + offset (minutes east of UTC) → ISO-8601 UTC; undefined if unparsable. */
export function sqlLocalToUtc(local: string, utcOffsetMinutes: number): string | undefined {
  const m = SQL_DATETIME.exec(local.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = ''] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (!Number.isFinite(ms)) return undefined;
  const utc = new Date(ms - utcOffsetMinutes * 60_000).toISOString().slice(0, 19);
  // One flat string: a template literal would keep its parts (and the whole ISO text) alive
  // for each of a million login dates.
  return [utc, '.', frac.padEnd(7, '0'), 'Z'].join('');
}
