import { ByteReader, FormatError, describeError, isFormatError } from '../common/index.js';
import type { EventJson } from '../common/event.js';
import { ByteSink } from './binxml/json-bytes.js';
import { JsonPlanCache, jsonPlanStats } from './binxml/json-plan.js';
import { RawReader } from './binxml/raw-instance.js';
import { newChunkContext, parseFragment, type ChunkContext } from './binxml/parse.js';
import { renderTreeJson } from './binxml/render-json.js';
import { resolveRecord } from './binxml/resolve.js';
import { hasChunkSignature, parseEvtxChunkHeader, type Crc32Fn, type EvtxChunkHeader } from './chunk-header.js';
import type { EvtxDiagnostic } from './diagnostics.js';
import { EVTX_CHUNK_HEADER_BYTES, EVTX_CHUNK_SIZE_BYTES, EVTX_MIN_RECORD_BYTES, MAX_RECORDS_PER_CHUNK, MAX_SLACK_CANDIDATES_PER_CHUNK } from './limits.js';
import { RECORD_HEADER, RECORD_SIGNATURE, isPlausibleRecord, parseEvtxRecordHeader, recordSizeAt } from './record-header.js';
import type { ChunkOutcome, EvtxRecord } from './record.js';
import type { AnsiDecoder } from './binxml/model.js';

export interface ChunkParseOptions {
  chunkIndex: number;
  /** Absolute file offset of the chunk. */
  fileOffset: number;
  /** Scan the slack after the last record for recoverable records. */
  scanSlack: boolean;
  /** Put recovered records into `outcomes` (else only count them). */
  includeRecovered: boolean;
  strict: boolean;
  ansi: AnsiDecoder;
  /** CRC-32 for the chunk checksums (default crc32.ts). */
  crc32?: Crc32Fn;
}

/** One chunk's records as `T` (EvtxRecord, or a JSON line for `parseEvtxChunkJsonl`). */
export interface EvtxChunkResultOf<T> {
  chunkIndex: number;
  fileOffset: number;
  /** Undefined when the chunk has no valid header (zero-filled, bad magic, truncated). */
  header: EvtxChunkHeader | undefined;
  diagnostics: EvtxDiagnostic[];
  outcomes: ChunkOutcome<T>[];
  /** Records recovered from slack (counted even when not included in outcomes). */
  recovered: number;
}

export type EvtxChunkResult = EvtxChunkResultOf<EvtxRecord>;

/**
 * Builds one record's result from the record at chunk-relative `off` of `size` bytes (its
 * header checked); throws FormatError for a bad record.
 */
export type RecordBuilder<T> = (r: ByteReader, off: number, size: number, recovered: boolean) => T;

const WINDOWS_1252 = new TextDecoder('windows-1252');

function isAllZero(b: Uint8Array, from = 0, to = b.length): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

export function toNumberId(v: bigint): number {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : -1;
}

function noElement(r: ByteReader, off: number): FormatError {
  return new FormatError({ code: 'INVALID', format: 'evtx', offset: r.baseOffset + off, what: 'record.binxml', message: `evtx: record at offset ${r.baseOffset + off} holds no XML element` });
}

/** Builds EvtxRecords: the resolved tree and evtx_dump's JSON object. */
export function recordBuilder(ctx: ChunkContext, opts: ChunkParseOptions): RecordBuilder<EvtxRecord> {
  return (r, off, size, recovered) => {
    ctx.tokens = 0;
    const nodes = parseFragment(ctx, r.fork(off + RECORD_HEADER.size), off + size - 4, 0);
    const tree = resolveRecord(nodes, r.baseOffset + off);
    if (!tree) throw noElement(r, off);
    const event = renderTreeJson(tree) as unknown as EventJson;
    const h = parseEvtxRecordHeader(r, off, off + size);
    return { recordId: toNumberId(h.recordId), timestamp: h.timestamp, chunkIndex: opts.chunkIndex, offset: opts.fileOffset + off, recovered, event, tree };
  };
}

/**
 * Appends each record's JSON line (exactly `JSON.stringify(record.event)` + "\n", as UTF-8)
 * to `sink`: through the fast read (binxml/raw-instance.ts) and a compiled template plan
 * (binxml/json-plan.ts) where the record allows, else the normal path. A record's result is
 * the number of bytes it appended.
 */
function jsonlBuilder(ctx: ChunkContext, opts: ChunkParseOptions, out: ByteSink): RecordBuilder<number> {
  // Per chunk: the chunk's templates and the reader's instances then die young together
  // (kept from chunk to chunk, they were promoted and raised peak RSS by 30 MB).
  const plans = new JsonPlanCache();
  const raw = new RawReader();
  let bound = false;
  let scratch: ByteSink | undefined;
  return (r, off, size, recovered) => {
    // Slack records that are only counted still have to render (that is the check that
    // they are whole), into a scratch sink.
    const sink = recovered && !opts.includeRecovered ? (scratch ??= new ByteSink()) : out;
    const start = sink.pos;
    const end = off + size - 4;
    try {
      ctx.tokens = 0;
      if (!bound) {
        raw.bind(ctx, r.fork(0));
        bound = true;
      }
      const inst = raw.readRecord(off + RECORD_HEADER.size, end);
      if (inst !== undefined && plans.render(inst, r, opts.ansi, sink)) {
        sink.raw('\n');
        if (sink === scratch) scratch.pos = 0;
        return sink.pos - start;
      }
    } catch {
      // The normal path below reads the record again and reports what is wrong with it.
    }
    sink.pos = start;
    try {
      ctx.tokens = 0;
      const nodes = parseFragment(ctx, r.fork(off + RECORD_HEADER.size), end, 0);
      const tree = resolveRecord(nodes, r.baseOffset + off);
      if (!tree) throw noElement(r, off);
      sink.raw(JSON.stringify(renderTreeJson(tree)));
      sink.raw('\n');
      jsonPlanStats.normal++;
      const n = sink.pos - start;
      if (sink === scratch) scratch.pos = 0;
      return n;
    } catch (e) {
      sink.pos = start;
      throw e;
    }
  };
}

function asFormatError(e: unknown, offset: number, what: string): FormatError {
  if (isFormatError(e)) return e;
  // A RangeError/TypeError here is a parser bug; still report it per record, never abort.
  return new FormatError({ code: 'INVALID', format: 'evtx', offset, what, message: `evtx: internal error at offset ${offset} (${what}): ${describeError(e)}`, cause: e });
}

/**
 * Parses one chunk (up to 64 KiB) into one outcome per record. Never throws for bad input:
 * anomalies go to `diagnostics`, bad records become failed outcomes.
 */
export function parseEvtxChunk(bytes: Uint8Array, opts: ChunkParseOptions): EvtxChunkResult {
  return walkChunk(bytes, opts, (ctx) => recordBuilder(ctx, opts));
}

/**
 * As parseEvtxChunk, but each record's evtx_dump JSON line (`JSON.stringify(record.event)`
 * + "\n", UTF-8) is appended to `out`, made without building the event object where the fast
 * read and a compiled template plan apply (`espy evtx dump --format jsonl`). A record's
 * result is the number of bytes it appended.
 */
export function renderEvtxChunkJsonl(bytes: Uint8Array, opts: ChunkParseOptions, out: ByteSink): EvtxChunkResultOf<number> {
  return walkChunk(bytes, opts, (ctx) => jsonlBuilder(ctx, opts, out));
}

/** renderEvtxChunkJsonl with each record's line (UTF-8, without "\n") as its result. */
export function parseEvtxChunkJsonl(bytes: Uint8Array, opts: ChunkParseOptions): EvtxChunkResultOf<Uint8Array> {
  const sink = new ByteSink();
  const res = renderEvtxChunkJsonl(bytes, opts, sink);
  let at = 0;
  const outcomes = res.outcomes.map((o): ChunkOutcome<Uint8Array> => {
    if (!o.ok) return o;
    const line = sink.buf.slice(at, at + o.record - 1);
    at += o.record;
    return { ok: true, record: line };
  });
  return { ...res, outcomes };
}

/**
 * Walks one chunk's records (then its slack when asked), building each record's result with
 * the builder `makeBuilder` makes for the chunk. Never throws for bad input.
 */
export function walkChunk<T>(bytes: Uint8Array, opts: ChunkParseOptions, makeBuilder: (ctx: ChunkContext) => RecordBuilder<T>): EvtxChunkResultOf<T> {
  const { chunkIndex, fileOffset } = opts;
  const res: EvtxChunkResultOf<T> = { chunkIndex, fileOffset, header: undefined, diagnostics: [], outcomes: [], recovered: 0 };
  const diag = (code: EvtxDiagnostic['code'], message: string, offset = fileOffset): void => {
    res.diagnostics.push({ code, message, offset, chunkIndex });
  };
  const fail = (error: FormatError, offset: number, recordId?: bigint): void => {
    const o: ChunkOutcome<T> = { ok: false, error, chunkIndex, offset };
    if (recordId !== undefined && toNumberId(recordId) >= 0) o.recordId = toNumberId(recordId);
    res.outcomes.push(o);
  };
  if (isAllZero(bytes)) {
    diag('CHUNK_ZERO_FILLED', `chunk ${chunkIndex} is zero-filled`);
    return res;
  }
  const r = new ByteReader(bytes, fileOffset, 'evtx');
  const ctx = newChunkContext(r, opts.ansi);
  const build = makeBuilder(ctx);
  if (bytes.length < EVTX_CHUNK_SIZE_BYTES) {
    diag('CHUNK_TRUNCATED', `chunk ${chunkIndex} is truncated: ${bytes.length} of ${EVTX_CHUNK_SIZE_BYTES} bytes`);
  }
  let limit = bytes.length;
  const start = EVTX_CHUNK_HEADER_BYTES;
  if (!hasChunkSignature(bytes) || bytes.length < EVTX_CHUNK_HEADER_BYTES) {
    diag('CHUNK_BAD_MAGIC', `chunk ${chunkIndex} has no valid chunk header; its records can only be recovered`);
    // Recovery mode (pdf.js-style): names and templates are chunk-relative, so records in a
    // chunk whose header was overwritten can still be read from the slack scan.
    if (opts.scanSlack) recoverSlack(build, r, EVTX_CHUNK_HEADER_BYTES, res, opts);
    return res;
  }
  const header = parseEvtxChunkHeader(bytes, fileOffset, opts.crc32);
  res.header = header;
  if (!header.hasValidHeaderChecksum) {
    diag('CHUNK_HEADER_CHECKSUM', `chunk ${chunkIndex} header checksum 0x${header.headerChecksum.toString(16)} != computed 0x${header.computedHeaderChecksum.toString(16)}`);
  }
  if (header.freeSpaceOffset < start || header.freeSpaceOffset > bytes.length) {
    diag('CHUNK_FREE_SPACE_OFFSET', `chunk ${chunkIndex} free space offset 0x${header.freeSpaceOffset.toString(16)} out of range; reading up to the chunk end`, fileOffset + 0x30);
  } else {
    limit = header.freeSpaceOffset;
    if (!header.hasValidEventRecordsChecksum) {
      diag('CHUNK_DATA_CHECKSUM', `chunk ${chunkIndex} records checksum 0x${header.eventRecordsChecksum.toString(16)} != computed 0x${(header.computedEventRecordsChecksum ?? 0).toString(16)}`);
    }
  }
  if (opts.strict && (!header.hasValidHeaderChecksum || (limit === header.freeSpaceOffset && !header.hasValidEventRecordsChecksum))) {
    fail(
      new FormatError({ code: 'BAD_CHECKSUM', format: 'evtx', offset: fileOffset, what: 'chunk.checksum', message: `evtx: chunk ${chunkIndex} at offset ${fileOffset} fails its checksum (strict)` }),
      fileOffset,
    );
    return res;
  }

  let pos = start;
  let count = 0;
  while (pos + EVTX_MIN_RECORD_BYTES <= limit && count < MAX_RECORDS_PER_CHUNK) {
    count++;
    const sig = r.u32At(pos, 'record.signature');
    if (sig !== RECORD_SIGNATURE) {
      if (isAllZero(bytes, pos, limit)) break;
      // Garbage where a record should start: report once, then resynchronise on the next
      // plausible record (signature + matching size copy).
      fail(
        new FormatError({
          code: 'BAD_MAGIC',
          format: 'evtx',
          offset: fileOffset + pos,
          what: 'record.signature',
          message: `evtx: no record signature at offset ${fileOffset + pos} (chunk ${chunkIndex})`,
        }),
        fileOffset + pos,
      );
      let next = pos + 1;
      while (next + EVTX_MIN_RECORD_BYTES <= limit && !isPlausibleRecord(r, next, limit)) next++;
      diag('RECORD_RESYNC', `chunk ${chunkIndex}: skipped ${next - pos} bytes of non-record data`, fileOffset + pos);
      pos = next;
      continue;
    }
    let size = 0;
    try {
      size = recordSizeAt(r, pos, limit);
      res.outcomes.push({ ok: true, record: build(r, pos, size, false) });
    } catch (e) {
      // A whole header (size checked) names the record in the failure.
      const recordId = size > 0 ? r.u64At(pos + RECORD_HEADER.recordId, 'record.recordId') : undefined;
      fail(asFormatError(e, fileOffset + pos, 'record'), fileOffset + pos, recordId);
      if (size === 0) {
        // The size itself is bad: resynchronise on the next plausible record.
        let next = pos + 1;
        while (next + EVTX_MIN_RECORD_BYTES <= limit && !isPlausibleRecord(r, next, limit)) next++;
        pos = next;
        continue;
      }
    }
    pos += size;
  }
  if (opts.scanSlack && pos < bytes.length) recoverSlack(build, r, Math.max(pos, limit), res, opts);
  return res;
}

/**
 * Scans chunk slack (after the free-space offset) for whole records left behind by earlier
 * writes (samples such as omerbenamram's `2-vss_0-...RdpCoreTS` carry hundreds).
 */
function recoverSlack<T>(build: RecordBuilder<T>, r: ByteReader, from: number, res: EvtxChunkResultOf<T>, opts: ChunkParseOptions): void {
  const end = r.length;
  let candidates = 0;
  let p = from;
  const b = r.bytes;
  while (p + EVTX_MIN_RECORD_BYTES <= end && candidates < MAX_SLACK_CANDIDATES_PER_CHUNK) {
    // Fast check of the signature bytes before anything else: jump to the next 0x2a
    // (native search; slack is most of some chunks, and every chunk is scanned).
    const at = b.indexOf(0x2a, p);
    if (at < 0 || at + EVTX_MIN_RECORD_BYTES > end) break;
    p = at;
    if (b[p + 1] !== 0x2a || b[p + 2] !== 0 || b[p + 3] !== 0 || !isPlausibleRecord(r, p, end)) {
      p++;
      continue;
    }
    candidates++;
    try {
      const size = recordSizeAt(r, p, end);
      const record = build(r, p, size, true);
      res.recovered++;
      if (opts.includeRecovered) res.outcomes.push({ ok: true, record });
      p += size;
    } catch {
      // A partly overwritten record: not recoverable, keep scanning.
      p++;
    }
  }
  if (res.recovered > 0) {
    res.diagnostics.push({
      code: 'SLACK_RECOVERED',
      message: `chunk ${opts.chunkIndex}: ${res.recovered} record(s) recovered from slack`,
      offset: opts.fileOffset + from,
      chunkIndex: opts.chunkIndex,
    });
  }
}

/** The default ANSI decoder (windows-1252); throws RangeError for an unknown label. */
export function ansiDecoder(codepage?: string): AnsiDecoder {
  return codepage === undefined ? WINDOWS_1252 : new TextDecoder(codepage);
}
