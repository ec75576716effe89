/**
 * Anomalies that are not errors: the file is still read. `strict` turns the
 * ones marked `strictFails` into failures.
 */
export const DIAGNOSTIC_CODES = [
  'EMPTY_FILE',
  'NOT_EVTX',
  'FILE_HEADER_TRUNCATED',
  'FILE_HEADER_CHECKSUM',
  'FILE_DIRTY',
  'FILE_FULL',
  'UNSUPPORTED_VERSION',
  'CHUNK_COUNT_MISMATCH',
  'CHUNK_PAST_HEADER_COUNT',
  'CHUNK_ZERO_FILLED',
  'CHUNK_BAD_MAGIC',
  'CHUNK_TRUNCATED',
  'CHUNK_HEADER_CHECKSUM',
  'CHUNK_DATA_CHECKSUM',
  'CHUNK_FREE_SPACE_OFFSET',
  'RECORD_ID_RANGE',
  'RECORD_RESYNC',
  'SLACK_RECOVERED',
  'FILE_TRUNCATED',
  'DIAGNOSTICS_CAPPED',
] as const;
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

export interface EvtxDiagnostic {
  code: DiagnosticCode;
  message: string;
  /** Absolute file offset the diagnostic is about. */
  offset: number;
  chunkIndex?: number;
}
