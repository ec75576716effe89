import type { EventJson, EventSummary } from '../../parsers/common/event.js';
import { summarizeEvent } from '../../parsers/common/event.js';
import { ansiDecoder, EVTX_CHUNK_SIZE_BYTES, parseEvtxChunkScan, type BatchStart, type EvtxDiagnostic } from '../../parsers/evtx/index.js';
import { isEngineProvider } from '../mssql/index.js';

/**
 * One EVTX chunk as the analysis needs it, small enough to cross between threads: the
 * records some rule or the ESP inventory can use, whole, and a tally of every record for the
 * statistics. The tally keeps first-seen order (EventIDs, computers, providers), so chunks
 * merged in file order give what counting record by record gives.
 */
export interface ChunkScan {
  /** Absolute file offset of the chunk. */
  fileOffset: number;
  /** True when the chunk header was valid. */
  header?: true;
  diagnostics: EvtxDiagnostic[];
  tally: Tally;
  /** Records built whole, in file order; each is also in the tally. */
  full: FullRecord[];
  /** Records that could not be read, in file order. */
  failures: { chunkIndex: number; offset: number; message: string }[];
}

/** Every record of a chunk that was read, kept whole or not. */
export interface Tally {
  records: number;
  recovered: number;
  /** Channel of the first record that names one ('' when none does). */
  channel: string;
  eventIds: number[];
  first?: string;
  last?: string;
  computers: [string, number][];
  /** SQL Server engine providers (`MSSQLSERVER`, `MSSQL$NAME`). */
  providers: string[];
}

export interface FullRecord {
  recordId: number;
  /** Absolute file offset. */
  offset: number;
  recovered: boolean;
  event: EventJson;
  summary: EventSummary;
}

/** The summary a scan counts for a record: the event's, dated by the record header when the event is not. */
export function recordSummary(event: EventJson, headerTime: string): EventSummary {
  const summary = summarizeEvent(event);
  if (!summary.timestamp) summary.timestamp = headerTime;
  return summary;
}

const ANSI = ansiDecoder();

/**
 * Parses a batch of whole chunks (the last may be short) read from `start`: one ChunkScan per
 * 64 KiB. With `keep`, a record read whole is passed on only when `keep` says so (it is still
 * in the tally).
 */
export function scanBatch(bytes: Uint8Array, start: BatchStart, want: (head: EventJson) => boolean, keep?: (event: EventJson, summary: EventSummary) => boolean): ChunkScan[] {
  const out: ChunkScan[] = [];
  for (let at = 0, i = 0; at < bytes.length; at += EVTX_CHUNK_SIZE_BYTES, i++) {
    const chunk = bytes.subarray(at, Math.min(bytes.length, at + EVTX_CHUNK_SIZE_BYTES));
    const opts = { chunkIndex: start.chunkIndex + i, fileOffset: start.fileOffset + at, scanSlack: true, includeRecovered: true, strict: false, ansi: ANSI };
    out.push(scanChunk(parseEvtxChunkScan(chunk, opts, want), keep));
  }
  return out;
}

function scanChunk(res: ReturnType<typeof parseEvtxChunkScan>, keep: ((event: EventJson, summary: EventSummary) => boolean) | undefined): ChunkScan {
  const tally: Tally = { records: 0, recovered: 0, channel: '', eventIds: [], computers: [], providers: [] };
  const scan: ChunkScan = { fileOffset: res.fileOffset, diagnostics: res.diagnostics, tally, full: [], failures: [] };
  if (res.header) scan.header = true;
  const ids = new Set<number>();
  const computers = new Map<string, number>();
  const providers = new Set<string>();
  for (const o of res.outcomes) {
    if (!o.ok) {
      scan.failures.push({ chunkIndex: o.chunkIndex, offset: o.offset, message: o.error.message });
      continue;
    }
    const r = o.record;
    const s = recordSummary(r.event ?? r.head, r.timestamp);
    tally.records++;
    if (r.recovered) tally.recovered++;
    if (!tally.channel && s.channel) tally.channel = s.channel;
    ids.add(s.eventId);
    if (s.timestamp && (tally.first === undefined || s.timestamp < tally.first)) tally.first = s.timestamp;
    if (s.timestamp && (tally.last === undefined || s.timestamp > tally.last)) tally.last = s.timestamp;
    if (s.computer) computers.set(s.computer, (computers.get(s.computer) ?? 0) + 1);
    if (isEngineProvider(s.provider)) providers.add(s.provider);
    if (r.event !== undefined && (keep === undefined || keep(r.event, s))) scan.full.push({ recordId: r.recordId, offset: r.offset, recovered: r.recovered, event: r.event, summary: s });
  }
  tally.eventIds = [...ids];
  tally.computers = [...computers];
  tally.providers = [...providers];
  return scan;
}
