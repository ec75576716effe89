import * as zlib from 'node:zlib';
import { ansiDecoder, ByteSink, type Crc32Fn, parseEvtxChunk, renderEvtxChunkJsonl, renderRecordXml, type ChunkOutcome, type EvtxChunkResultOf, type EvtxDiagnostic } from '../../parsers/evtx/index.js';

/** Output formats of `espy evtx dump`. */
export type DumpFormat = 'jsonl' | 'json' | 'xml';

/** What one rendered chunk hands back (from the main thread or a worker). */
export interface RenderedChunk {
  /**
   * The chunk's records as one block of text (one string per chunk keeps the worker→main
   * message and the writes cheap): jsonl/xml records each end with "\n"; json records are
   * joined by ",\n" (the caller writes the separator before the block).
   */
  text: string;
  /** The text as UTF-8 bytes instead (jsonl, and every chunk from a worker); `text` is then empty. */
  bytes?: Uint8Array;
  ok: number;
  failed: number;
  recovered: number;
  failures: { chunkIndex: number; offset: number; recordId?: number; message: string }[];
  diagnostics: EvtxDiagnostic[];
  hasHeader: boolean;
}

export interface RenderChunkOptions {
  chunkIndex: number;
  fileOffset: number;
  format: DumpFormat;
  includeRecovered: boolean;
  codepage: string | undefined;
}

/** Node's native CRC-32 (zlib.crc32, Node >= 20.15 / 22.2) where there is one; else the parser's own. */
const NATIVE_CRC32 = (zlib as { crc32?: Crc32Fn }).crc32;

/** One output buffer per thread, reused for every chunk. */
const JSONL_SINK = new ByteSink();

/** Parses and renders one chunk (the unit of work of both the main thread and workers). */
export function renderChunk(bytes: Uint8Array, o: RenderChunkOptions): RenderedChunk {
  const po = {
    chunkIndex: o.chunkIndex,
    fileOffset: o.fileOffset,
    scanSlack: o.includeRecovered,
    includeRecovered: o.includeRecovered,
    strict: false,
    ansi: ansiDecoder(o.codepage),
    ...(NATIVE_CRC32 ? { crc32: NATIVE_CRC32 } : {}),
  };
  if (o.format === 'jsonl') {
    // Compiled template plans: each record's line as UTF-8, without building its event
    // object or any string.
    const out = collect(renderEvtxChunkJsonl(bytes, po, JSONL_SINK));
    out.bytes = JSONL_SINK.take();
    return out;
  }
  if (o.format === 'json') return collect(parseEvtxChunk(bytes, po), (rec) => JSON.stringify(rec.event, null, 2), ',\n');
  return collect(parseEvtxChunk(bytes, po), renderRecordXml, '');
}

/** Counts and failures of a chunk; with `text`, also the records' text joined by `separator`. */
function collect<T>(res: EvtxChunkResultOf<T>, text?: (record: T) => string, separator = ''): RenderedChunk {
  const items: string[] = [];
  const out: RenderedChunk = { text: '', ok: 0, failed: 0, recovered: res.recovered, failures: [], diagnostics: res.diagnostics, hasHeader: res.header !== undefined };
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
  out.text = items.join(separator);
  return out;
}
