/**
 * Phase one of a collection: learn from the logs which DLL files to fetch. SQL Server names
 * the DLL behind every extended stored procedure it loads (8128 "Using '%1' version '%2' to
 * execute extended stored procedure '%3'", 33090 "Attempting to load library '%1'", 8131,
 * 17750), Sysmon 7 names every image sqlservr.exe loads, and the SQL exports list `dll_name`.
 * Message texts as SQL Server writes them (sys.messages).
 */
import { espEventDll } from '../detection/esp/events.js';
import { summarizeEvent, type EventJson } from '../parsers/common/event.js';

export interface DllRef {
  /** As written: a full path (`C:\ProgramData\x.dll`) or a bare name (`xpstar.dll`). */
  dll: string;
  /** Where it was named: `Application.evtx 8128 #12`, `ERRORLOG line 40`, ... */
  reason: string;
}

const ERRORLOG_PATTERNS: readonly RegExp[] = [
  // 8128. Not "Using 'dbghelp.dll' version '4.0.5' to perform stack dump" (not an ESP load).
  /Using '([^'\r\n]+)' version '[^'\r\n]*' to execute extended stored procedure/g,
  /Attempting to load library '([^'\r\n]+)' into memory/g, // 33090
  /Extended stored procedure DLL '([^'\r\n]+)' does not export/g, // 8131
  /Could not load the DLL ([^,\r\n]+), or one of the DLLs it references/g, // 17750
];

/**
 * Line numbers of increasing offsets in one pass over the text (asked in any order it
 * restarts, so callers ask in order): linear in the text, not in lines × matches.
 */
function lineCounter(text: string, firstLine = 1): (index: number) => number {
  let pos = 0;
  let line = firstLine;
  return (index) => {
    if (index < pos) {
      pos = 0;
      line = firstLine;
    }
    for (let i = text.indexOf('\n', pos); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
      line++;
      pos = i + 1;
    }
    return line;
  };
}

/** DLLs named by ERRORLOG lines (`text` starting at line `firstLine`: logs are read in chunks). */
export function dllRefsFromErrorlog(text: string, label: string, firstLine = 1): DllRef[] {
  const out: DllRef[] = [];
  for (const re of ERRORLOG_PATTERNS) {
    const lineOf = lineCounter(text, firstLine);
    for (const m of text.matchAll(re)) {
      const dll = (m[1] ?? '').trim();
      if (dll) out.push({ dll, reason: `${label} line ${lineOf(m.index)}` });
    }
  }
  return out;
}

const SQL_EXPORT_DLL = /(?:[A-Za-z]:\\[^\r\n"'|,;\t<>]*?|[\w.$~-]+)\.dll\b/gi;

/** DLL names and paths in a SQL export (sqlcmd text, CSV, JSON): any `*.dll` token. */
export function dllRefsFromSqlExport(text: string, label: string): DllRef[] {
  const out: DllRef[] = [];
  const lineOf = lineCounter(text);
  for (const m of text.matchAll(SQL_EXPORT_DLL)) out.push({ dll: m[0].trim(), reason: `${label} line ${lineOf(m.index)}` });
  return out;
}

/** DLLs named by one event: SQL Server ESP events, Sysmon 7 loads into sqlservr.exe. */
export function dllRefsFromEvent(ev: EventJson, label: string): DllRef[] {
  const s = summarizeEvent(ev);
  const named = espEventDll(ev, s);
  if (!named) return [];
  return [{ dll: named.dll, reason: `${label} ${s.eventId}${s.recordId === undefined ? '' : ` #${s.recordId}`}` }];
}
