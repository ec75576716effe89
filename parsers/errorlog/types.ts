import type { EventJson, EventOrigin } from '../common/event.js';

/** How the bytes of an ERRORLOG were decoded. */
export type ErrorlogEncoding = 'utf-16le-bom' | 'utf-16le' | 'utf-16be-bom' | 'utf-8-bom' | 'utf-8';

/**
 * The line layout: `errorlog` is the SQL Server engine log (`YYYY-MM-DD hh:mm:ss.cc source
 * text`); `sqlagent` is SQLAGENT.OUT (`YYYY-MM-DD hh:mm:ss - ? [NNN] text`), accepted
 * because it sits beside the ERRORLOGs and shares their encoding.
 */
export type ErrorlogLayout = 'errorlog' | 'sqlagent';

/**
 * Where the UTC time of the entries came from: the banner's `UTC adjustment` line, the
 * caller's option, or nowhere (local time kept as is and written as if it were UTC).
 */
export type TimeBasis = 'banner' | 'option' | 'assumed-utc';

/** Facts read from the startup banner and the first startup messages. */
export interface ErrorlogBanner {
  /** First banner line, e.g. `Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64)`. */
  productVersion?: string;
  /** `UTC adjustment: -8:00` → -480 (local = UTC + adjustment). */
  utcAdjustmentMinutes?: number;
  /** `Server name is 'HOST\INSTANCE'.` */
  serverName?: string;
  /** Instance name: `-s "NAME"` startup parameter, the server name, or the service account. */
  instanceName?: string;
  /** `Logging SQL Server messages in file '...'.` */
  errorlogPath?: string;
  /** `The service account is '...'.` */
  serviceAccount?: string;
  /** `Authentication mode is MIXED.` */
  authenticationMode?: string;
}

/** One logical ERRORLOG entry: a timestamped line and its continuation lines. */
export interface ErrorlogEntry {
  /** 1-based line number of the entry's first line (the `Error: N` line for merged errors). */
  line: number;
  /** Byte offset of that line in the file (BOM included in the count). */
  offset: number;
  /** Number of physical lines the entry spans (merged `Error:` lines included). */
  lineCount: number;
  /** The timestamp as written, server local time: `2022-05-09 17:21:29.82`. */
  localTime: string;
  /** ISO-8601 UTC, 7 fractional digits; see `timeBasis`. */
  utcTime: string;
  timeBasis: TimeBasis;
  /** Source column: `Server`, `spid52`, `spid9s`, `Logon`, `Backup`, ... (`SQLAgent` for SQLAGENT.OUT). */
  source: string;
  /** Message text; continuation lines joined with `\n`. */
  text: string;
  /** From a merged `Error: N, Severity: S, State: T.` line. */
  error?: { number: number; severity: number; state: number };
  /** SQLAGENT.OUT: the level mark (`?` info, `+` warning, `!` error) and message number. */
  agent?: { level: string; messageId: number };
  /** Inferred event-log EventID (0 when not inferred). */
  eventId: number;
  /** Event-log insertion strings in template order (the whole text when not inferred). */
  data: string[];
  /** The entry in the EVTX event model. */
  event: EventJson;
  origin: EventOrigin;
}

/** Anomaly codes: the file was read, but something is worth saying. */
export type ErrorlogDiagnosticCode =
  | 'NO_BOM_UTF16'
  | 'UTF16_BIG_ENDIAN'
  | 'INVALID_ENCODING'
  | 'ENCODING_MISMATCH'
  | 'NUL_CHARACTERS'
  | 'LINE_TOO_LONG'
  | 'ENTRY_TOO_LONG'
  | 'ORPHAN_LINES'
  | 'NO_UTC_ADJUSTMENT'
  | 'UTC_ADJUSTMENT_CHANGED'
  | 'BAD_UTC_ADJUSTMENT'
  | 'PROVIDER_ASSUMED'
  | 'SQLAGENT_LOG'
  | 'TIME_NOT_MONOTONIC'
  | 'FACTS_AFTER_LOOKAHEAD'
  | 'TOO_MANY_DIAGNOSTICS';

export interface ErrorlogDiagnostic {
  code: ErrorlogDiagnosticCode;
  /** 1-based line, 0 for the whole file. */
  line: number;
  offset: number;
  message: string;
}

/** An entry that could not be made into an event (e.g. an impossible date). */
export interface ErrorlogError {
  code: 'BAD_TIMESTAMP' | 'NOT_AN_ERRORLOG' | 'TOO_MANY_ERRORS';
  line: number;
  offset: number;
  message: string;
}

export interface ErrorlogParseOptions {
  /** Event provider, e.g. `MSSQL$SQLEXPRESS`; default derived from the banner. */
  provider?: string;
  /** `System.Computer`; default the host part of the banner's server name. */
  computer?: string;
  /**
   * Minutes to add to UTC to get the server's local time (the banner's `UTC adjustment`).
   * Used when the file has no banner line (e.g. from the SQL export's `utc_offset_minutes`);
   * the banner wins when both exist.
   */
  utcOffsetMinutes?: number;
}

export interface ErrorlogParseResult {
  encoding: ErrorlogEncoding;
  layout: ErrorlogLayout;
  banner: ErrorlogBanner;
  /** The provider and computer written into every event. */
  provider: string;
  computer: string;
  entries: ErrorlogEntry[];
  /** Physical lines read. */
  lineCount: number;
  diagnostics: ErrorlogDiagnostic[];
  errors: ErrorlogError[];
}
