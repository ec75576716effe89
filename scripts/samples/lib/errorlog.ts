/**
 * SQL Server ERRORLOG writer: UTF-16LE with BOM, CRLF, lines `YYYY-MM-DD hh:mm:ss.cc <source>`
 * with the source column padded to 12 characters (`Server      `, `spid9s      `, `Logon       `),
 * continuation lines as written (tab-indented banner lines, blank line after the banner),
 * imitating the real logs of the ERRORLOG corpus.
 */
import { errorlogTime } from './clock.js';

export interface ErrorlogLine { t: number; source: string; text: string; continuation?: readonly string[] }

export function renderErrorlogLine(l: ErrorlogLine, utcOffsetMinutes: number): string[] {
  const src = l.source.length >= 12 ? `${l.source} ` : l.source.padEnd(12, ' ');
  return [`${errorlogTime(l.t, utcOffsetMinutes)} ${src}${l.text}`, ...(l.continuation ?? [])];
}

/** Encodes a whole ERRORLOG file. Lines keep their given order (SQL Server appends). */
export function renderErrorlog(lines: readonly ErrorlogLine[], utcOffsetMinutes: number): Uint8Array {
  const text = lines.flatMap((l) => renderErrorlogLine(l, utcOffsetMinutes)).map((s) => `${s}\r\n`).join('');
  const body = Buffer.from(text, 'utf16le');
  return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), body]));
}
