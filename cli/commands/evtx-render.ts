import * as zlib from 'node:zlib';
import {
  ansiDecoder,
  ByteSink,
  EVTX_CHUNK_SIZE_BYTES,
  type Crc32Fn,
  parseEvtxChunk,
  renderEvtxChunkJsonl,
  renderRecordXml,
  type ChunkOutcome,
  type EvtxChunkResultOf,
  type EvtxDiagnostic,
} from '../../parsers/evtx/index.js';

/** Output formats of `espy evtx dump`. */
export type DumpFormat = 'jsonl' | 'json' | 'xml';

/** What one rendered run of chunks hands back (from the main thread or a worker). */
export interface RenderedChunk {
  /**
   * The records as one block of text (one block per job keeps the worker→main message and
   * the writes cheap): jsonl/xml records each end with "\n"; json records are joined by ",\n"
   * (the caller writes the separator before the block).
   */
  text: string;
  /** The text as UTF-8 bytes instead (jsonl, and every block from a worker); `text` is then empty. */
  bytes?: Uint8Array;
  ok: number;
  failed: number;
  recovered: number;
  failures: { chunkIndex: number; offset: number; recordId?: number; message: string }[];
  diagnostics: EvtxDiagnostic[];
}

/** A run of consecutive chunks: `bytes` holds them from chunk `chunkIndex` at `fileOffset` on. */
export interface RenderChunkOptions {
  chunkIndex: number;
  fileOffset: number;
  format: DumpFormat;
  includeRecovered: boolean;
  codepage: string | undefined;
}

/** Node's native CRC-32 (zlib.crc32, Node >= 20.15 / 22.2) where there is one; else the parser's own. */
const NATIVE_CRC32 = (zlib as { crc32?: Crc32Fn }).crc32;

/** One output buffer per thread, reused for every job. */
const JSONL_SINK = new ByteSink();

/**
 * Parses and renders a run of consecutive 64 KiB chunks (the unit of work of both the main
 * thread and workers; the last chunk may be short).
 */
export function renderChunks(bytes: Uint8Array, o: RenderChunkOptions): RenderedChunk {
  const out: RenderedChunk = { text: '', ok: 0, failed: 0, recovered: 0, failures: [], diagnostics: [] };
  const texts: string[] = [];
  const ansi = ansiDecoder(o.codepage);
  for (let i = 0, at = 0; at < bytes.length; i++, at += EVTX_CHUNK_SIZE_BYTES) {
    const chunk = bytes.subarray(at, Math.min(bytes.length, at + EVTX_CHUNK_SIZE_BYTES));
    const po = {
      chunkIndex: o.chunkIndex + i,
      fileOffset: o.fileOffset + at,
      scanSlack: o.includeRecovered,
      includeRecovered: o.includeRecovered,
      strict: false,
      ansi,
      ...(NATIVE_CRC32 ? { crc32: NATIVE_CRC32 } : {}),
    };
    if (o.format === 'jsonl') {
      // Compiled template plans: each record's line as UTF-8, without building its event
      // object or any string.
      collect(out, renderEvtxChunkJsonl(chunk, po, JSONL_SINK));
    } else if (o.format === 'json') {
      const t = collect(out, parseEvtxChunk(chunk, po), (rec) => JSON.stringify(rec.event, null, 2), ',\n');
      if (t) texts.push(t);
    } else {
      texts.push(collect(out, parseEvtxChunk(chunk, po), renderRecordXml, ''));
    }
  }
  if (o.format === 'jsonl') out.bytes = JSONL_SINK.take();
  else out.text = texts.join(o.format === 'json' ? ',\n' : '');
  return out;
}

/** Adds a chunk's counts and failures to `out`; with `text`, returns its records' text joined by `separator`. */
function collect<T>(out: RenderedChunk, res: EvtxChunkResultOf<T>, text?: (record: T) => string, separator = ''): string {
  const items: string[] = [];
  out.recovered += res.recovered;
  for (const d of res.diagnostics) out.diagnostics.push(d);
  for (const oc of res.outcomes as ChunkOutcome<T>[]) {
    if (!oc.ok) {
      out.failed++;
      const f: RenderedChunk['failures'][number] = { chunkIndex: oc.chunkIndex, offset: oc.offset, message: oc.error.message };
      if (oc.recordId !== undefined) f.recordId = oc.recordId;
      out.failures.push(f);
      continue;
    }
    out.ok++;
    if (text) items.push(text(oc.record));
  }
  return items.join(separator);
}
