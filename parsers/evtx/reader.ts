import { FormatError, describeError, isFormatError, type ByteSource } from '../common/index.js';
import { ansiDecoder, parseEvtxChunk, type ChunkParseOptions, type EvtxChunkResult, type EvtxChunkResultOf } from './chunk.js';
import { hasChunkSignature } from './chunk-header.js';
import type { EvtxDiagnostic } from './diagnostics.js';
import { parseEvtxFileHeader, type EvtxFileHeader } from './file-header.js';
import { EVTX_CHUNK_SIZE_BYTES, EVTX_FILE_HEADER_BLOCK_BYTES, MAX_CHUNKS_PER_FILE } from './limits.js';
import type { ChunkOutcome, EvtxReadOptions, RecordOutcome } from './record.js';

/** File-level facts gathered before the chunks. */
export interface EvtxFileScan {
  size: number;
  header: EvtxFileHeader | undefined;
  /** Chunk slots present in the file: ceil((size - 4096) / 65536). */
  chunkSlots: number;
  /** False when the file is not EVTX at all (nothing to read). */
  readable: boolean;
}

export interface ChunkReadOptions extends EvtxReadOptions {
  /** Scan chunk slack for recoverable records even when not yielding them (counts). */
  scanSlack?: boolean;
}

/**
 * Reads and checks the file header; reports file-level diagnostics. Never throws for bad
 * input (only a failing ByteSource read propagates).
 */
export async function scanEvtxFile(source: ByteSource, report: (d: EvtxDiagnostic) => void): Promise<EvtxFileScan> {
  const size = source.size;
  const scan: EvtxFileScan = { size, header: undefined, chunkSlots: 0, readable: false };
  if (size === 0) {
    report({ code: 'EMPTY_FILE', message: 'file is empty (0 bytes)', offset: 0 });
    return scan;
  }
  const head = await source.read(0, Math.min(size, EVTX_FILE_HEADER_BLOCK_BYTES));
  scan.chunkSlots = size > EVTX_FILE_HEADER_BLOCK_BYTES ? Math.ceil((size - EVTX_FILE_HEADER_BLOCK_BYTES) / EVTX_CHUNK_SIZE_BYTES) : 0;
  try {
    scan.header = parseEvtxFileHeader(head, 0);
  } catch (e) {
    const code = isFormatError(e) && e.code === 'TRUNCATED' ? 'FILE_HEADER_TRUNCATED' : 'NOT_EVTX';
    // A damaged file header with intact chunks behind it is still read (recovery).
    const first = size > EVTX_FILE_HEADER_BLOCK_BYTES ? await source.read(EVTX_FILE_HEADER_BLOCK_BYTES, 8) : new Uint8Array(0);
    if (hasChunkSignature(first)) {
      report({ code, message: `file header unreadable (${describeError(e)}); reading the chunks behind it`, offset: 0 });
      scan.readable = true;
    } else {
      report({ code, message: code === 'NOT_EVTX' ? `not an EVTX file: ${describeError(e)}` : `file too short for an EVTX header: ${describeError(e)}`, offset: 0 });
    }
    return scan;
  }
  scan.readable = true;
  const h = scan.header;
  if (!h.hasValidChecksum) report({ code: 'FILE_HEADER_CHECKSUM', message: `file header checksum 0x${h.checksum.toString(16)} != computed 0x${h.computedChecksum.toString(16)}`, offset: 0x7c });
  if (h.isDirty) report({ code: 'FILE_DIRTY', message: 'file header dirty flag set (not closed cleanly; header counts may be stale)', offset: 0x78 });
  if (h.isFull) report({ code: 'FILE_FULL', message: 'file header full flag set', offset: 0x78 });
  if (h.majorVersion !== 3 || (h.minorVersion !== 1 && h.minorVersion !== 2)) {
    report({ code: 'UNSUPPORTED_VERSION', message: `file format version ${h.majorVersion}.${h.minorVersion} (expected 3.1 or 3.2); reading anyway`, offset: 0x24 });
  }
  if (size < EVTX_FILE_HEADER_BLOCK_BYTES + h.numberOfChunks * EVTX_CHUNK_SIZE_BYTES) {
    report({ code: 'FILE_TRUNCATED', message: `header declares ${h.numberOfChunks} chunk(s) but the file holds ${scan.chunkSlots}`, offset: size });
  }
  return scan;
}

/**
 * Streams the chunks of an EVTX file: reads one 64 KiB chunk at a time through the
 * ByteSource (memory does not grow with the file) and parses it.
 */
export function readEvtxChunks(source: ByteSource, opts: ChunkReadOptions = {}): AsyncGenerator<EvtxChunkResult> {
  return readChunksWith(source, opts, parseEvtxChunk);
}

/** A chunk parser: parseEvtxChunk, or one that builds another result per record. */
export type ChunkParser<T> = (bytes: Uint8Array, opts: ChunkParseOptions) => EvtxChunkResultOf<T>;

/** readEvtxChunks with the chunk parser given (the file is read forward only). */
export async function* readChunksWith<T>(source: ByteSource, opts: ChunkReadOptions, parse: ChunkParser<T>): AsyncGenerator<EvtxChunkResultOf<T>> {
  const report = opts.onDiagnostic ?? ((): void => {});
  const scan = await scanEvtxFile(source, report);
  if (!scan.readable) return;
  const ansi = ansiDecoder(opts.codepage);
  const count = new ChunkCount(scan, report);
  for (let i = 0; i < count.slots; i++) {
    const off = chunkOffset(i);
    const bytes = await source.read(off, Math.min(EVTX_CHUNK_SIZE_BYTES, scan.size - off));
    const res = parse(bytes, {
      chunkIndex: i,
      fileOffset: off,
      scanSlack: Boolean(opts.scanSlack || opts.includeRecovered),
      includeRecovered: Boolean(opts.includeRecovered),
      strict: Boolean(opts.strict),
      ansi,
    });
    count.seen(i, res);
    yield res;
  }
  count.end();
}

const chunkOffset = (i: number): number => EVTX_FILE_HEADER_BLOCK_BYTES + i * EVTX_CHUNK_SIZE_BYTES;

/** What the file-level checks need of a parsed chunk. */
export interface ChunkFacts {
  /** Present when the chunk header was valid. */
  header?: unknown;
  diagnostics: EvtxDiagnostic[];
}

/** The file-level checks over the chunks read: chunks past the header's count, and the count itself. */
class ChunkCount {
  readonly slots: number;
  private readonly declared: number | undefined;
  private readonly report: (d: EvtxDiagnostic) => void;
  private valid = 0;

  constructor(scan: EvtxFileScan, report: (d: EvtxDiagnostic) => void) {
    this.report = report;
    this.slots = Math.min(scan.chunkSlots, MAX_CHUNKS_PER_FILE);
    this.declared = scan.header?.numberOfChunks;
  }

  /** Chunk `i` was parsed: its diagnostics (and any of the file's about it) are reported. */
  seen(i: number, res: ChunkFacts): void {
    const declared = this.declared;
    if (res.header) {
      this.valid++;
      if (declared !== undefined && i >= declared) {
        res.diagnostics.push({ code: 'CHUNK_PAST_HEADER_COUNT', message: `chunk ${i} lies past the header's chunk count ${declared} (read anyway)`, offset: chunkOffset(i), chunkIndex: i });
      }
    }
    for (const d of res.diagnostics) this.report(d);
  }

  end(): void {
    if (this.declared !== undefined && this.valid !== this.declared) {
      this.report({ code: 'CHUNK_COUNT_MISMATCH', message: `header declares ${this.declared} chunk(s), file holds ${this.valid} valid chunk(s)`, offset: 0x2a });
    }
  }
}

/** Chunks read from the source at a time by readChunkBatches (1 MiB). */
export const CHUNKS_PER_BATCH = 16;

/** Where a batch starts: its first chunk. */
export interface BatchStart {
  chunkIndex: number;
  fileOffset: number;
}

/**
 * The chunks of an EVTX file parsed elsewhere (another thread), in file order: the file is
 * read forward in batches of CHUNKS_PER_BATCH chunks, each handed to `parse` (which owns the
 * bytes: they may be transferred) while up to `ahead` earlier batches are still being parsed.
 * `parse` returns one result per 64 KiB chunk of the batch; the file-level diagnostics are
 * those of readEvtxChunks.
 */
export async function* readChunkBatches<R extends ChunkFacts>(
  source: ByteSource,
  report: (d: EvtxDiagnostic) => void,
  parse: (bytes: Uint8Array, start: BatchStart) => Promise<R[]>,
  ahead = 3,
): AsyncGenerator<R> {
  const scan = await scanEvtxFile(source, report);
  if (!scan.readable) return;
  const count = new ChunkCount(scan, report);
  const queue: { first: number; results: Promise<R[]> }[] = [];
  let next = 0;
  while (next < count.slots || queue.length > 0) {
    while (next < count.slots && queue.length <= ahead) {
      const fileOffset = chunkOffset(next);
      const n = Math.min(CHUNKS_PER_BATCH, count.slots - next);
      const bytes = await source.read(fileOffset, Math.min(n * EVTX_CHUNK_SIZE_BYTES, scan.size - fileOffset));
      const results = parse(bytes, { chunkIndex: next, fileOffset });
      // Awaited in order below; a batch abandoned on an early return must not be an unhandled rejection.
      results.catch(() => undefined);
      queue.push({ first: next, results });
      next += n;
    }
    const batch = queue.shift() as (typeof queue)[number];
    const results = await batch.results;
    for (const [k, res] of results.entries()) {
      count.seen(batch.first + k, res);
      yield res;
    }
  }
  count.end();
}

/**
 * Yields one outcome per record, in file order: the event, or an error naming the chunk,
 * offset and what failed. Never throws for bad input.
 */
export function readEvtxRecords(source: ByteSource, opts: EvtxReadOptions = {}): AsyncGenerator<RecordOutcome> {
  return readRecordsWith(source, opts, parseEvtxChunk);
}

/** readEvtxRecords with the chunk parser given. */
export async function* readRecordsWith<T>(source: ByteSource, opts: EvtxReadOptions, parse: ChunkParser<T>): AsyncGenerator<ChunkOutcome<T>> {
  let strictFailed = false;
  const report = (d: EvtxDiagnostic): void => {
    opts.onDiagnostic?.(d);
    if (opts.strict && (d.code === 'FILE_HEADER_CHECKSUM' || d.code === 'NOT_EVTX' || d.code === 'FILE_HEADER_TRUNCATED')) strictFailed = true;
  };
  for await (const chunk of readChunksWith(source, { ...opts, onDiagnostic: report }, parse)) {
    if (strictFailed) {
      yield { ok: false, error: new FormatError({ code: 'BAD_CHECKSUM', format: 'evtx', offset: 0, what: 'fileHeader', message: 'evtx: file header invalid (strict)' }), chunkIndex: -1, offset: 0 };
      return;
    }
    yield* chunk.outcomes;
  }
}
