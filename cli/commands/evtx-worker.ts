import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { workerEntry, type WorkerEntry } from '../../detection/worker-entry.js';
import { renderChunks, type RenderChunkOptions, type RenderedChunk } from './evtx-render.js';

/**
 * Worker threads for `espy evtx dump --threads N`. Chunks are independent, so each worker
 * parses and renders whole chunks: the main thread reads a chunk, transfers its buffer (no
 * copy), and writes results in chunk order.
 *
 * Starting a worker: parsers/common/worker-entry.ts (this module's file, the bundle, or the
 * SEA asset `evtx-worker.cjs`); the bundle's entry must call `runEvtxWorkerIfMarked()` before
 * running the CLI (it returns true inside an evtx worker). When no worker source exists, dump
 * falls back to one thread and says so.
 */
export const EVTX_WORKER_MARK = 'espyEvtxWorker';

interface Job {
  id: number;
  buf: ArrayBuffer;
  byteOffset: number;
  byteLength: number;
  opts: RenderChunkOptions;
}

function isMarkedWorker(): boolean {
  return !isMainThread && typeof workerData === 'object' && workerData !== null && (workerData as Record<string, unknown>)[EVTX_WORKER_MARK] === true;
}

/** Starts the worker loop when running as an evtx worker; returns whether it did. */
export function runEvtxWorkerIfMarked(): boolean {
  if (!isMarkedWorker() || !parentPort) return false;
  const port = parentPort;
  const utf8 = new TextEncoder();
  port.on('message', (job: Job) => {
    let result: RenderedChunk;
    let bytes: Uint8Array;
    try {
      result = renderChunks(new Uint8Array(job.buf, job.byteOffset, job.byteLength), job.opts);
      // Transfer bytes (jsonl renders bytes; other formats are encoded here): cloning a
      // large string costs the worker more, and the main thread then writes bytes without
      // encoding them itself.
      bytes = result.bytes ?? utf8.encode(result.text);
      delete result.bytes;
    } catch (e) {
      port.postMessage({ id: job.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      return;
    }
    result.text = '';
    // `bytes` owns its buffer (ByteSink.take, TextEncoder.encode): transfer it whole, even
    // when the view is shorter than the buffer (a huge chunk's sink handed over uncopied).
    port.postMessage({ id: job.id, result, bytes }, [bytes.buffer as ArrayBuffer]);
  });
  return true;
}

/** Asset name under which a SEA executable may embed the CommonJS bundle of this module. */
export const EVTX_WORKER_SEA_ASSET = 'evtx-worker.cjs';

/** How to start a worker: a JS file to load, or code to eval (SEA asset); undefined: none. */
export type EvtxWorkerSource = WorkerEntry;

/** Where an evtx worker comes from (parsers/common/worker-entry.ts). */
export function evtxWorkerSource(): EvtxWorkerSource | undefined {
  return workerEntry(EVTX_WORKER_SEA_ASSET, import.meta.url, typeof __filename === 'string' ? __filename : undefined);
}

/**
 * A fixed pool of chunk workers; `run` resolves with the rendered chunks. Jobs are posted
 * straight to the worker with the fewest outstanding, so each worker has its next job queued
 * locally (a central queue made every worker wait for the main thread between jobs).
 */
export class ChunkWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly outstanding: number[] = [];
  private readonly pending = new Map<number, { resolve: (r: RenderedChunk) => void; reject: (e: Error) => void; worker: number }>();
  private nextId = 0;
  private failed: Error | undefined;

  constructor(size: number, source: EvtxWorkerSource) {
    for (let i = 0; i < size; i++) {
      const workerData = { [EVTX_WORKER_MARK]: true };
      // A worker holds a few jobs of 256 KiB and their rendered text at a time, so its heap
      // stays small on normal logs (the young generation, 16 MB, bounds the steady state).
      // The old generation's cap is NOT the RSS bound: it must fit the worst real chunk. With
      // --include-recovered, slack records of the corpus resolve to 1.7 MB of JSON each
      // (21 M characters for one chunk of 'ID4-OpenSSH server listening.evtx'); at 48 MB
      // such a chunk killed the worker (ERR_WORKER_OUT_OF_MEMORY) or aborted the process.
      const resourceLimits = { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 16 };
      const w = 'code' in source ? new Worker(source.code, { eval: true, workerData, resourceLimits }) : new Worker(source.file, { workerData, resourceLimits });
      w.on('message', (m: { id: number; result?: RenderedChunk; bytes?: Uint8Array; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        this.outstanding[p.worker] = (this.outstanding[p.worker] ?? 1) - 1;
        if (m.result) p.resolve(m.bytes ? { ...m.result, bytes: m.bytes } : m.result);
        else p.reject(new Error(`evtx worker failed: ${m.error ?? 'unknown error'}`));
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`evtx worker exited with code ${code}`));
      });
      this.workers.push(w);
      this.outstanding.push(0);
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.workers.length;
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Renders a run of chunks in a worker; `bytes` must own its buffer (it is transferred). */
  run(bytes: Uint8Array, opts: RenderChunkOptions): Promise<RenderedChunk> {
    if (this.failed) return Promise.reject(this.failed);
    const job: Job = { id: this.nextId++, buf: bytes.buffer as ArrayBuffer, byteOffset: bytes.byteOffset, byteLength: bytes.byteLength, opts };
    let best = 0;
    for (let i = 1; i < this.outstanding.length; i++) if ((this.outstanding[i] as number) < (this.outstanding[best] as number)) best = i;
    return new Promise((resolve, reject) => {
      this.pending.set(job.id, { resolve, reject, worker: best });
      this.outstanding[best] = (this.outstanding[best] as number) + 1;
      (this.workers[best] as Worker).postMessage(job, [job.buf]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

// Worker side: when this module is loaded as an evtx worker, serve chunks.
runEvtxWorkerIfMarked();
