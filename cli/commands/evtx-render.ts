import { ansiDecoder, parseEvtxChunk, renderRecordJson, renderRecordXml, type EvtxDiagnostic } from '../../parsers/evtx/index.js';

/** Output formats of `espy evtx dump`. */
export type DumpFormat = 'jsonl' | 'json' | 'xml';

/** What one rendered chunk hands back (from the main thread or a worker). */
export interface RenderedChunk {
  /** Records rendered, each already terminated (jsonl: "\n"; json: no separator; xml: "\n"). */
  items: string[];
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
  const out: RenderedChunk = { items: [], ok: 0, failed: 0, recovered: res.recovered, failures: [], diagnostics: res.diagnostics, hasHeader: res.header !== undefined };
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
    if (o.format === 'jsonl') out.items.push(renderRecordJson(rec) + '\n');
    else if (o.format === 'json') out.items.push(JSON.stringify(rec.event, null, 2));
    else out.items.push(renderRecordXml(rec));
  }
  return out;
}
