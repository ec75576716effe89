import type { ByteSource } from '../../parsers/common/byte-source.js';
import type { EventJson, EventSummary } from '../../parsers/common/event.js';
import { EVTX_CHUNK_SIZE_BYTES, readChunkBatches, readEvtxRecords, type BatchStart, type EvtxDiagnostic } from '../../parsers/evtx/index.js';
import type { ArtefactError } from '../analysis-result.js';
import type { EvidenceArtefact } from '../evidence.js';
import { isEngineProvider } from '../mssql/index.js';
import { recordSummary, scanBatch, type ChunkScan, type Tally } from './chunk-scan.js';
import type { ArtefactStats, SourcedEvent } from './inputs.js';
import { winBasename } from './windows-paths.js';

/** Per-artefact parse errors kept verbatim; the rest are counted. */
export const MAX_ERRORS_PER_ARTEFACT = 20;

/** What every log of a scan adds to: its statistics, errors, and the computers and providers seen. */
export interface ScanTotals {
  stats: ArtefactStats[];
  errors: ArtefactError[];
  computers: Map<string, number>;
  providers: Set<string>;
}

/** `Microsoft-Windows-Sysmon%4Operational.evtx` → `Microsoft-Windows-Sysmon/Operational` until the channel is read. */
export function evtxLabel(a: EvidenceArtefact): string {
  return winBasename(a.originalPath)
    .replace(/\.evtx$/i, '')
    .replace(/%4/g, '/');
}

export function newStats(a: EvidenceArtefact, label: string): ArtefactStats {
  return { artefact: a.originalPath, kind: a.kind === 'errorlog' ? 'errorlog' : 'evtx', label, records: 0, failed: 0, recovered: 0, notes: [], eventIds: new Set() };
}

/** Counts one record of any log towards the totals. */
export function countRecord(out: ScanTotals, st: ArtefactStats, s: EventSummary): void {
  mergeTally(out, st, {
    records: 1,
    recovered: 0,
    channel: '',
    eventIds: [s.eventId],
    first: s.timestamp,
    last: s.timestamp,
    computers: s.computer ? [[s.computer, 1]] : [],
    providers: isEngineProvider(s.provider) ? [s.provider] : [],
  });
}

function mergeTally(out: ScanTotals, st: ArtefactStats, t: Tally): void {
  st.records += t.records;
  st.recovered += t.recovered;
  for (const id of t.eventIds) st.eventIds.add(id);
  if (t.first && (st.first === undefined || t.first < st.first)) st.first = t.first;
  if (t.last && (st.last === undefined || t.last > st.last)) st.last = t.last;
  for (const [c, n] of t.computers) out.computers.set(c, (out.computers.get(c) ?? 0) + n);
  for (const p of t.providers) out.providers.add(p);
}

/** Parses a batch of chunks (on this thread, or in the scan worker). */
export type BatchParser = (bytes: Uint8Array, start: BatchStart) => Promise<ChunkScan[]>;

export interface EvtxScan {
  /** An event read whole (it is already counted): matched and kept by the scan. */
  keep: (ev: SourcedEvent) => void;
  /**
   * Which records the analysis needs whole (from `Event.System`); undefined builds every
   * record (the reference the prefilter is tested against).
   */
  want: ((head: EventJson) => boolean) | undefined;
  /** Where the chunks are parsed when `want` is set, and how many batches to keep in flight; default: on this thread. */
  parse?: { batch: BatchParser; ahead: number };
  signal: AbortSignal | undefined;
  /** Bytes of this log read so far, and the records since the last call. */
  tick: (offsetInArtefact: number, records: number) => void;
}

/** Records between two progress ticks. */
export const RECORDS_PER_TICK = 4096;

/**
 * Streams one EVTX file: every record is counted, the records `want` asks for (all of them
 * without it) are built whole and go to `keep` in file order.
 */
export async function scanEvtx(a: EvidenceArtefact, source: ByteSource, out: ScanTotals, scan: EvtxScan): Promise<void> {
  const st = newStats(a, evtxLabel(a));
  const read = { channel: '', errors: 0 };
  const fail = (f: { chunkIndex: number; offset: number; message: string }): void => {
    st.failed++;
    if (read.errors++ < MAX_ERRORS_PER_ARTEFACT) out.errors.push({ artefact: a.originalPath, message: `chunk ${f.chunkIndex} offset ${f.offset}: ${f.message}` });
  };
  const note = (d: EvtxDiagnostic): void => {
    if (st.notes.length < 5) st.notes.push(`${d.code}: ${d.message}`);
  };
  const want = scan.want;
  if (want) {
    const here: BatchParser = (bytes, start) => Promise.resolve(scanBatch(bytes, start, want));
    for await (const chunk of readChunkBatches(source, note, scan.parse?.batch ?? here, scan.parse?.ahead ?? 0)) {
      if (scan.signal?.aborted) break;
      mergeTally(out, st, chunk.tally);
      if (!read.channel) read.channel = chunk.tally.channel;
      for (const f of chunk.failures) fail(f);
      for (const r of chunk.full) scan.keep(sourced(a, r.event, r.summary, r));
      scan.tick(Math.min(chunk.fileOffset + EVTX_CHUNK_SIZE_BYTES, a.size), chunk.tally.records + chunk.failures.length);
    }
  } else {
    let sinceTick = 0;
    for await (const o of readEvtxRecords(source, { includeRecovered: true, onDiagnostic: note })) {
      if (scan.signal?.aborted) break;
      if (++sinceTick >= RECORDS_PER_TICK) {
        scan.tick(Math.min(o.ok ? o.record.offset : o.offset, a.size), sinceTick);
        sinceTick = 0;
      }
      if (!o.ok) {
        fail({ chunkIndex: o.chunkIndex, offset: o.offset, message: o.error.message });
        continue;
      }
      const r = o.record;
      const summary = recordSummary(r.event, r.timestamp);
      if (!read.channel && summary.channel) read.channel = summary.channel;
      if (r.recovered) st.recovered++;
      countRecord(out, st, summary);
      scan.keep(sourced(a, r.event, summary, r));
    }
    scan.tick(a.size, sinceTick);
  }
  if (read.errors > MAX_ERRORS_PER_ARTEFACT) out.errors.push({ artefact: a.originalPath, message: `${read.errors - MAX_ERRORS_PER_ARTEFACT} more unreadable records` });
  if (read.channel) st.label = read.channel;
  out.stats.push(st);
}

function sourced(a: EvidenceArtefact, event: EventJson, summary: EventSummary, r: { recordId: number; offset: number; recovered: boolean }): SourcedEvent {
  const ev: SourcedEvent = {
    event,
    summary,
    origin: { kind: 'evtx', recordId: r.recordId, offset: r.offset, ...(r.recovered ? { recovered: true } : {}) },
    artefact: a.originalPath,
    kind: 'evtx',
    message: '',
  };
  if (a.storedPath) ev.storedPath = a.storedPath;
  return ev;
}
