import type { SqlExportKind } from './kinds.js';
import type { SqlExportRowMap } from './rows.js';

export type SqlExportFormat = 'sqlcmd' | 'csv' | 'tsv' | 'delimited' | 'json';

/** One recognised result set. */
export type SqlExportSet = {
  [K in SqlExportKind]: {
    kind: K;
    /** `ESPY:<kind>` section label when the set came from espy's triage script output. */
    label?: string;
    format: SqlExportFormat;
    fileName: string;
    /** 1-based line of the header row (JSON: of the array). */
    line: number;
    /** Column names as written in the file. */
    columns: string[];
    rows: SqlExportRowMap[K][];
    /** 1-based line of each row (JSON: of each object). */
    rowLines: number[];
    /** Rows past the caller's `keepRows` for this kind: counted, and the first of them. */
    notKept?: { count: number; first: SqlExportRowMap[K]; firstLine: number };
  };
}[SqlExportKind];

export type SqlExportSetOf<K extends SqlExportKind> = Extract<SqlExportSet, { kind: K }>;

export type SqlExportDiagnosticCode = 'SQL_MESSAGE' | 'ESPY_WARNING' | 'CELL_TYPE' | 'TRUNCATED_VALUE' | 'EMPTY_FILE' | 'ENCODING' | 'EXTRA_COLUMNS' | 'INCOMPLETE_OUTPUT' | 'TOO_MANY_DIAGNOSTICS';

export interface SqlExportDiagnostic {
  code: SqlExportDiagnosticCode;
  fileName: string;
  line: number;
  message: string;
}

export type SqlExportErrorCode = 'UNKNOWN_COLUMNS' | 'BAD_ROW' | 'BAD_JSON' | 'LABEL_MISMATCH' | 'NOT_AN_EXPORT' | 'LIMIT_EXCEEDED';

export interface SqlExportError {
  code: SqlExportErrorCode;
  fileName: string;
  line: number;
  message: string;
}

export interface SqlExportParseResult {
  sets: SqlExportSet[];
  diagnostics: SqlExportDiagnostic[];
  errors: SqlExportError[];
}

/** What a caller wants kept: at most this many rows of a kind per set (the rest are counted, not an error). */
export interface SqlExportParseOptions {
  keepRows?: Partial<Record<SqlExportKind, number>>;
}
