/**
 * EVTX parser, pure TypeScript over a ByteSource. Format: libyal/libevtx
 * "Windows XML Event Log (EVTX)" and [MS-EVEN6] Binary XML. Output: evtx_dump's JSON shape.
 */
import type { EvtxRecord } from './record.js';
import { renderTreeXml } from './binxml/render-xml.js';

export type { ChunkOutcome, EvtxReadOptions, EvtxRecord, RecordOutcome } from './record.js';
export type { EvtxDiagnostic, DiagnosticCode } from './diagnostics.js';
export { DIAGNOSTIC_CODES } from './diagnostics.js';
export { parseEvtxFileHeader, FILE_HEADER, FILE_FLAGS, type EvtxFileHeader } from './file-header.js';
export { parseEvtxChunkHeader, CHUNK_HEADER, hasChunkSignature, type Crc32Fn, type EvtxChunkHeader } from './chunk-header.js';
export { parseEvtxRecordHeader, RECORD_HEADER, type EvtxRecordHeader } from './record-header.js';
export { parseEvtxChunk, parseEvtxChunkJsonl, renderEvtxChunkJsonl, ansiDecoder, type ChunkParseOptions, type EvtxChunkResult, type EvtxChunkResultOf } from './chunk.js';
export { readEvtxRecords, readEvtxChunks, readChunkBatches, scanEvtxFile, CHUNKS_PER_BATCH, type BatchStart, type ChunkFacts, type EvtxFileScan, type ChunkReadOptions } from './reader.js';
export { scanEvtxRecords, parseEvtxChunkScan, type EvtxScanRecord, type EvtxScanOptions, type ScanOutcome, type ScanWant, type NeedleProbe } from './scan.js';
export { readEvtxInfo, type EvtxInfo, type EvtxChunkInfo } from './info.js';
export { crc32 } from './crc32.js';
export * from './limits.js';
export type { RElement, RNode, Value } from './binxml/model.js';
export { renderTreeJson } from './binxml/render-json.js';
export { jsonPlanStats } from './binxml/json-plan.js';
export { ByteSink } from './binxml/json-bytes.js';
export { renderTreeXml } from './binxml/render-xml.js';

/** evtx_dump's JSON text for a record (one line, no trailing newline). */
export function renderRecordJson(record: EvtxRecord): string {
  return JSON.stringify(record.event);
}

/** Event Viewer / evtxexport style XML for a record (ends with a newline). */
export function renderRecordXml(record: EvtxRecord): string {
  return renderTreeXml(record.tree);
}
