import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { EVTX_CHUNK_SIZE_BYTES, EVTX_FILE_HEADER_BLOCK_BYTES, scanEvtxFile, type EvtxDiagnostic } from '../../parsers/evtx/index.js';
import type { Log } from '../context.js';
import { openFileSource } from '../file-source.js';
import { renderChunks, type DumpFormat, type RenderedChunk } from './evtx-render.js';
import { ChunkWorkerPool, evtxWorkerSource } from './evtx-worker.js';

export interface DumpOptions {
  files: string[];
  format: DumpFormat;
  /** Worker threads; 'auto': `autoThreads` of the files' total size. */
  threads: number | 'auto';
  includeRecovered: boolean;
  codepage: string | undefined;
  out: Writable;
  log: Log;
  signal: AbortSignal;
}

export interface DumpSummary {
  files: number;
  unreadable: number;
  records: number;
  failed: number;
  recovered: number;
}

/** Buffers output and writes it in large blocks, honouring back-pressure. */
class BlockWriter {
  private parts: string[] = [];
  private size = 0;
  private readonly out: Writable;
  private readonly blockChars: number;
  constructor(out: Writable, blockChars = 1 << 18) {
    this.out = out;
    this.blockChars = blockChars;
  }
  async write(s: string): Promise<void> {
    if (s.length >= this.blockChars / 4) {
      // A whole chunk's text: write it as it is (joining it with others would copy it again).
      await this.flush();
      if (!this.out.write(s)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
      return;
    }
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= this.blockChars) await this.flush();
  }
  /** Writes a block of UTF-8 bytes (a worker's rendered chunk) after any buffered text. */
  async writeBytes(b: Uint8Array): Promise<void> {
    await this.flush();
    if (!this.out.write(b)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }
  async flush(): Promise<void> {
    if (this.size === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.out.write(text)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }
}

/** Jobs in flight per worker (queued or rendered, not yet written). */
const WORKER_QUEUE_DEPTH = 2;
/**
 * Chunks per job: one read and one worker message per 256 KiB. Per-chunk jobs spent a
 * tenth of the workers' time in messages and waits; 1 MiB jobs raised peak RSS.
 */
const CHUNKS_PER_JOB = 4;

/** A chunk being rendered: settled (`done`) or not yet. */
type Pending = { done: true; result: RenderedChunk } | { done: false; promise: Promise<RenderedChunk> };

function pending(p: Promise<RenderedChunk>): Pending {
  const entry: Pending = { done: false, promise: p };
  p.then(
    (result) => Object.assign(entry, { done: true, result }),
    () => {}, // the rejection is seen when the entry is settled in order
  );
  return entry;
}

async function settle(e: Pending): Promise<RenderedChunk> {
  return 'result' in e ? e.result : e.promise;
}

/** A buffer that can be transferred to a worker without detaching someone else's memory. */
function owned(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
}

/** `espy evtx dump`: streams every record of every file to `out`, chunk order kept. */
export async function dumpEvtx(o: DumpOptions): Promise<DumpSummary> {
  const sum: DumpSummary = { files: 0, unreadable: 0, records: 0, failed: 0, recovered: 0 };
  const w = new BlockWriter(o.out);
  let threads: number;
  if (o.threads === 'auto') {
    const bytes = await totalSize(o.files);
    threads = autoThreads(bytes, defaultThreads());
    o.log.debug(`evtx dump: ${threads} thread(s) for ${(bytes / 2 ** 20).toFixed(0)} MiB of input (--threads sets it)`);
  } else threads = Math.max(1, o.threads);
  let pool: ChunkWorkerPool | undefined;
  if (threads > 1) {
    const source = evtxWorkerSource();
    // N threads = N workers rendering; the main thread only reads, hands out chunks and
    // writes (rendering some chunks on the main thread as well delayed both: its chunks held
    // up the hand-out and the workers idled 20-40% of the time).
    if (source) pool = new ChunkWorkerPool(threads, source);
    else o.log.warn('worker threads unavailable here (no worker entry file or SEA asset evtx-worker.cjs); dumping with one thread');
  }
  let first = true;
  if (o.format === 'json') await w.write('[');
  if (o.format === 'xml') await w.write('<?xml version="1.0" encoding="utf-8"?>\n<Events>\n');
  const emit = async (file: string, r: RenderedChunk): Promise<void> => {
    sum.records += r.ok;
    sum.failed += r.failed;
    sum.recovered += r.recovered;
    for (const d of r.diagnostics) logDiagnostic(o.log, file, d);
    for (const f of r.failures) {
      o.log.warn(`${file}: record${f.recordId === undefined ? '' : ' ' + f.recordId} at offset ${f.offset} (chunk ${f.chunkIndex}) failed: ${f.message}`);
    }
    if (r.ok === 0 || (r.text.length === 0 && (r.bytes?.length ?? 0) === 0)) return;
    if (o.format === 'json') await w.write(first ? '\n' : ',\n');
    if (r.bytes) await w.writeBytes(r.bytes);
    else await w.write(r.text);
    first = false;
  };
  // Jobs are rendered in order of reading and written in that order, across files: a file's
  // last jobs render while the next file is opened and read (with many small files, waiting
  // for each file to drain left the workers idle). Reads run one job ahead.
  const inflight: { file: string; job: Pending }[] = [];
  const cap = pool ? pool.size * WORKER_QUEUE_DEPTH : 0;
  const drain = async (keep: number): Promise<void> => {
    while (inflight.length > 0 && ((inflight[0] as { job: Pending }).job.done || inflight.length > keep)) {
      const head = inflight.shift() as { file: string; job: Pending };
      await emit(head.file, await settle(head.job));
    }
  };
  try {
    for (const file of o.files) {
      if (o.signal.aborted) break;
      sum.files++;
      let src;
      try {
        src = await openFileSource(file);
      } catch (e) {
        sum.unreadable++;
        o.log.error(`${file}: cannot open: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      try {
        const scan = await scanEvtxFile(src, (d) => logDiagnostic(o.log, file, d));
        if (!scan.readable) {
          sum.unreadable++;
          continue;
        }
        const jobs = Math.ceil(scan.chunkSlots / CHUNKS_PER_JOB);
        const readJob = (j: number): Promise<Uint8Array> => {
          const off = EVTX_FILE_HEADER_BLOCK_BYTES + j * CHUNKS_PER_JOB * EVTX_CHUNK_SIZE_BYTES;
          return src.read(off, Math.min(CHUNKS_PER_JOB * EVTX_CHUNK_SIZE_BYTES, scan.size - off));
        };
        let next = jobs > 0 ? readJob(0) : undefined;
        for (let j = 0; j < jobs && next; j++) {
          if (o.signal.aborted) break;
          const bytes = await next;
          next = j + 1 < jobs ? readJob(j + 1) : undefined;
          next?.catch(() => {}); // awaited in the next iteration
          const chunkIndex = j * CHUNKS_PER_JOB;
          const opts = { chunkIndex, fileOffset: EVTX_FILE_HEADER_BLOCK_BYTES + chunkIndex * EVTX_CHUNK_SIZE_BYTES, format: o.format, includeRecovered: o.includeRecovered, codepage: o.codepage };
          const job: Pending = pool ? pending(pool.run(owned(bytes), opts)) : { done: true, result: renderChunks(bytes, opts) };
          inflight.push({ file, job });
          // Write what is ready at the head; wait when too much is in flight (each worker
          // keeps WORKER_QUEUE_DEPTH jobs queued, so it never waits for the next one).
          await drain(cap);
        }
      } finally {
        await src.close();
      }
    }
    await drain(0);
    if (o.format === 'json') await w.write(first ? ']\n' : '\n]\n');
    if (o.format === 'xml') await w.write('</Events>\n');
    await w.flush();
  } finally {
    await pool?.close();
  }
  return sum;
}

/** The machine's cores. */
export function defaultThreads(): number {
  return availableParallelism();
}

/**
 * Below this much input, `--threads` left unset means one thread. Each worker starts its own
 * V8 isolate, warms up its own JIT and compiles its own template plans; on the 2-core bench
 * machine that cost outweighed the split on inputs of real logs up to 128 MiB (2 workers
 * took 1.1-1.6x as long as one thread on 8, 16, 64 and 128 MiB of the corpus' mixed chunks)
 * and roughly broke even at 256 MiB; on 64-256 MiB of ONE log's chunks (few templates) 2
 * workers were 1.1-1.3x faster. Measured when the workers were added; `npm run bench:evtx` prints
 * the figures at 256 MiB.
 */
export const AUTO_THREADS_MIN_BYTES = 256 * 2 ** 20;

/** Threads for `--threads` unset: the cores, when the input is large enough to pay for workers. */
export function autoThreads(inputBytes: number, cores: number): number {
  return inputBytes >= AUTO_THREADS_MIN_BYTES ? Math.max(1, cores) : 1;
}

/** Sum of the files' sizes; a file that cannot be stat'ed counts 0 (dump reports it when opening). */
async function totalSize(files: readonly string[]): Promise<number> {
  let n = 0;
  for (const f of files) {
    try {
      n += (await stat(f)).size;
    } catch {
      // reported by dumpEvtx when it opens the file
    }
  }
  return n;
}

const QUIET_DIAGNOSTICS = new Set(['FILE_DIRTY', 'FILE_FULL', 'CHUNK_ZERO_FILLED', 'SLACK_RECOVERED']);

function logDiagnostic(log: Log, file: string, d: EvtxDiagnostic): void {
  const msg = `${file}: ${d.code}: ${d.message}`;
  if (QUIET_DIAGNOSTICS.has(d.code)) log.debug(msg);
  else log.warn(msg);
}
