import { ansiDecoder, parseEvtxChunk, renderRecordJson, renderRecordXml, type EvtxDiagnostic } from '../../parsers/evtx/index.js';

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
  /** From a worker: `text` as UTF-8 bytes (then `text` is empty). */
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

/** Parses and renders one chunk (the unit of work of both the main thread and workers). */
export function renderChunk(bytes: Uint8Array, o: RenderChunkOptions): RenderedChunk {
  const res = parseEvtxChunk(bytes, {
    chunkIndex: o.chunkIndex,
    fileOffset: o.fileOffset,
    scanSlack: o.includeRecovered,
    includeRecovered: o.includeRecovered,
    strict: false,
    ansi: ansiDecoder(o.codepage),
  });
  const items: string[] = [];
  const out: RenderedChunk = { text: '', ok: 0, failed: 0, recovered: res.recovered, failures: [], diagnostics: res.diagnostics, hasHeader: res.header !== undefined };
  for (const oc of res.outcomes) {
    if (!oc.ok) {
      out.failed++;
      const f: RenderedChunk['failures'][number] = { chunkIndex: oc.chunkIndex, offset: oc.offset, message: oc.error.message };
      if (oc.recordId !== undefined) f.recordId = oc.recordId;
      out.failures.push(f);
      continue;
    }
    out.ok++;
    const rec = oc.record;
    if (o.format === 'jsonl') items.push(renderRecordJson(rec), '\n');
    else if (o.format === 'json') items.push(JSON.stringify(rec.event, null, 2));
    else items.push(renderRecordXml(rec));
  }
  out.text = items.join(o.format === 'json' ? ',\n' : '');
  return out;
}
