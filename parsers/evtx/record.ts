import type { EventJson } from '../common/event.js';
import type { FormatError } from '../common/index.js';
import type { RElement } from './binxml/model.js';
import type { EvtxDiagnostic } from './diagnostics.js';

/** Options of the record iterator. */
export interface EvtxReadOptions {
  /** Also yield records recovered from chunk slack (flagged `recovered`). Default false. */
  includeRecovered?: boolean;
  /** Codepage of ANSI strings (value type 0x02), a WHATWG encoding label. Default windows-1252. */
  codepage?: string;
  /** Turn checksum and header anomalies into failures. Default false. */
  strict?: boolean;
  /** Receives every diagnostic (anomaly that is not an error). */
  onDiagnostic?: (d: EvtxDiagnostic) => void;
}

/** One event record. */
export interface EvtxRecord {
  /** EventRecordID (record header). */
  recordId: number;
  /** Record header FILETIME, ISO-8601 UTC, 7 fractional digits. */
  timestamp: string;
  chunkIndex: number;
  /** Absolute file offset of the record. */
  offset: number;
  /** Found in chunk slack after the last valid record. */
  recovered: boolean;
  /** Exactly evtx_dump's JSON object. */
  event: EventJson;
  /** The resolved element tree (renderRecordXml reads it). */
  tree: RElement;
}

/** One record of a chunk: its result `T`, or why it failed. */
export type ChunkOutcome<T> = { ok: true; record: T } | { ok: false; error: FormatError; chunkIndex: number; offset: number; recordId?: number };

export type RecordOutcome = ChunkOutcome<EvtxRecord>;
