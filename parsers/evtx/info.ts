import type { ByteSource } from '../common/index.js';
import { summarizeEvent } from '../common/event.js';
import type { EvtxDiagnostic } from './diagnostics.js';
import type { EvtxFileHeader } from './file-header.js';
import { MAX_DIAGNOSTICS_PER_FILE } from './limits.js';
import { readEvtxChunks } from './reader.js';
import type { EvtxReadOptions } from './record.js';

/** One row of the chunk table. */
export interface EvtxChunkInfo {
  index: number;
  offset: number;
  /** 'ok' | 'zero' (zero-filled) | 'bad-magic' | 'truncated' */
  state: 'ok' | 'zero' | 'bad-magic' | 'truncated';
  firstRecordId?: number;
  lastRecordId?: number;
  freeSpaceOffset?: number;
  headerChecksumOk?: boolean;
  dataChecksumOk?: boolean;
  records: number;
  failed: number;
  recovered: number;
}

export interface EvtxInfo {
  size: number;
  header: EvtxFileHeader | undefined;
  chunks: EvtxChunkInfo[];
  /** Records read (ok), failed, and recovered from slack. */
  records: number;
  failed: number;
  recovered: number;
  firstTimestamp: string | undefined;
  lastTimestamp: string | undefined;
  /** Provider/EventID histogram, most frequent first. */
  histogram: { provider: string; eventId: number; count: number }[];
  diagnostics: EvtxDiagnostic[];
  /** Diagnostics beyond MAX_DIAGNOSTICS_PER_FILE, counted only. */
  diagnosticsDropped: number;
  /** First failures (up to 20), for the report. */
  errors: { chunkIndex: number; offset: number; recordId?: number; message: string }[];
}

function num(v: bigint): number {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : Number.MAX_SAFE_INTEGER;
}

/** Reads a whole file and summarises it (`espy evtx info`). Never throws for bad input. */
export async function readEvtxInfo(source: ByteSource, opts: Omit<EvtxReadOptions, 'includeRecovered'> = {}): Promise<EvtxInfo> {
  const info: EvtxInfo = {
    size: source.size,
    header: undefined,
    chunks: [],
    records: 0,
    failed: 0,
    recovered: 0,
    firstTimestamp: undefined,
    lastTimestamp: undefined,
    histogram: [],
    diagnostics: [],
    diagnosticsDropped: 0,
    errors: [],
  };
  const hist = new Map<string, { provider: string; eventId: number; count: number }>();
  const onDiagnostic = (d: EvtxDiagnostic): void => {
    opts.onDiagnostic?.(d);
    if (info.diagnostics.length < MAX_DIAGNOSTICS_PER_FILE) info.diagnostics.push(d);
    else info.diagnosticsDropped++;
  };
  for await (const c of readEvtxChunks(source, { ...opts, scanSlack: true, includeRecovered: false, onDiagnostic })) {
    const h = c.header;
    const row: EvtxChunkInfo = {
      index: c.chunkIndex,
      offset: c.fileOffset,
      state: h ? 'ok' : c.diagnostics.some((d) => d.code === 'CHUNK_ZERO_FILLED') ? 'zero' : c.diagnostics.some((d) => d.code === 'CHUNK_BAD_MAGIC') ? 'bad-magic' : 'truncated',
      records: 0,
      failed: 0,
      recovered: c.recovered,
    };
    if (h) {
      row.firstRecordId = num(h.firstEventRecordId);
      row.lastRecordId = num(h.lastEventRecordId);
      row.freeSpaceOffset = h.freeSpaceOffset;
      row.headerChecksumOk = h.hasValidHeaderChecksum;
      row.dataChecksumOk = h.hasValidEventRecordsChecksum;
    }
    for (const o of c.outcomes) {
      if (!o.ok) {
        row.failed++;
        if (info.errors.length < 20) {
          const e: EvtxInfo['errors'][number] = { chunkIndex: o.chunkIndex, offset: o.offset, message: o.error.message };
          if (o.recordId !== undefined) e.recordId = o.recordId;
          info.errors.push(e);
        }
        continue;
      }
      row.records++;
      const rec = o.record;
      // A zero FILETIME (1601-01-01) says "not set", not a time: keep it out of the range.
      if (rec.timestamp && !rec.timestamp.startsWith('1601-01-01T00:00:00.0000000')) {
        if (info.firstTimestamp === undefined || rec.timestamp < info.firstTimestamp) info.firstTimestamp = rec.timestamp;
        if (info.lastTimestamp === undefined || rec.timestamp > info.lastTimestamp) info.lastTimestamp = rec.timestamp;
      }
      const s = summarizeEvent(rec.event);
      const key = `${s.provider}\u0000${s.eventId}`;
      const e = hist.get(key);
      if (e) e.count++;
      else hist.set(key, { provider: s.provider, eventId: s.eventId, count: 1 });
    }
    info.records += row.records;
    info.failed += row.failed;
    info.recovered += row.recovered;
    info.chunks.push(row);
  }
  info.histogram = [...hist.values()].sort((a, b) => b.count - a.count || a.provider.localeCompare(b.provider) || a.eventId - b.eventId);
  return info;
}
