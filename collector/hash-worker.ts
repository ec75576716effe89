/**
 * SHA-256, SHA-1 and MD5 of large files on a thread of their own. Hashing a 1 GiB event log
 * costs ~3 s of CPU; on the main thread it would stand in line with the log's parsing, while
 * the deflate already runs on libuv's pool. Chunks are copied into a ring of shared memory
 * that the worker reads in order (no allocation per chunk: a fresh buffer per MiB would keep
 * the garbage collector busy); when the ring is full the stream waits, so memory stays flat.
 */
import { Worker } from 'node:worker_threads';

const RING_BYTES = 8 * 1024 * 1024;

/** Run with `new Worker(code, { eval: true })`: no file path (the same in the source tree, build/ and the executable). */
const HASH_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const ring = new Uint8Array(workerData.ring);
const jobs = new Map();
parentPort.on('message', (m) => {
  let j = jobs.get(m.id);
  if (!j) jobs.set(m.id, (j = [createHash('sha256'), createHash('sha1'), createHash('md5')]));
  if (m.n) {
    const bytes = ring.subarray(m.at, m.at + m.n);
    for (const h of j) h.update(bytes);
    parentPort.postMessage({ id: m.id, acked: true });
  }
  if (m.end) {
    jobs.delete(m.id);
    parentPort.postMessage({ id: m.id, sha256: j[0].digest('hex'), sha1: j[1].digest('hex'), md5: j[2].digest('hex') });
  }
});
`;

type Result = { sha256: string; sha1: string; md5: string };

/** The worker and its ring: segments in flight are FIFO (the worker acknowledges them in order). */
class HashPool {
  private readonly worker: Worker;
  private readonly ring = new SharedArrayBuffer(RING_BYTES);
  private readonly view = new Uint8Array(this.ring);
  private readonly inFlight: { start: number; end: number }[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly results = new Map<number, { resolve(r: Result): void; reject(e: Error): void }>();
  private writeAt = 0;
  private nextId = 1;
  failure: Error | undefined;

  constructor() {
    this.worker = new Worker(HASH_WORKER_SOURCE, { eval: true, workerData: { ring: this.ring } });
    this.worker.on('message', (m: { id: number; acked?: boolean } & Partial<Result>) => {
      if (m.acked) {
        this.inFlight.shift();
        this.wake();
      }
      if (m.sha256 !== undefined) {
        this.results.get(m.id)?.resolve({ sha256: m.sha256, sha1: m.sha1 ?? '', md5: m.md5 ?? '' });
        this.results.delete(m.id);
        if (this.results.size === 0) this.worker.unref();
      }
    });
    this.worker.on('error', (e) => {
      this.failure = e;
      for (const r of this.results.values()) r.reject(e);
      this.results.clear();
      this.inFlight.length = 0;
      this.wake();
    });
    // After the listeners (adding one refs the worker again): an idle hash worker never keeps espy
    // running; while a job is open it does (its answer is awaited).
    this.worker.unref();
  }

  newJob(): { id: number; result: Promise<Result> } {
    const id = this.nextId++;
    this.worker.ref();
    const result = new Promise<Result>((resolve, reject) => this.results.set(id, { resolve, reject }));
    result.catch(() => undefined);
    return { id, result };
  }

  private wake(): void {
    for (const w of this.waiting.splice(0)) w();
  }

  /** Where `n` bytes fit in the ring now, or undefined. */
  private place(n: number): number | undefined {
    if (this.inFlight.length === 0) return 0;
    const at = this.writeAt + n <= RING_BYTES ? this.writeAt : 0;
    return this.inFlight.some((s) => at < s.end && s.start < at + n) ? undefined : at;
  }

  /** Copies `chunk` into the ring for job `id`; `then` runs once it is there. */
  update(id: number, chunk: Uint8Array, then: () => void): void {
    if (this.failure) return then();
    const n = Math.min(chunk.byteLength, RING_BYTES / 4);
    const at = this.place(n);
    if (at === undefined) {
      this.waiting.push(() => this.update(id, chunk, then));
      return;
    }
    this.view.set(chunk.subarray(0, n), at);
    this.inFlight.push({ start: at, end: at + n });
    this.writeAt = at + n;
    this.worker.postMessage({ id, at, n });
    if (n < chunk.byteLength) this.update(id, chunk.subarray(n), then);
    else then();
  }

  end(id: number): void {
    this.worker.postMessage({ id, end: true });
  }
}

let shared: HashPool | undefined;

/** The three digests of one stream, computed on the hash worker. */
export class WorkerHasher {
  private readonly pool: HashPool;
  private readonly job: { id: number; result: Promise<Result> };
  private ended = false;
  bytes = 0;

  constructor() {
    if (!shared || shared.failure) shared = new HashPool();
    this.pool = shared;
    this.job = this.pool.newJob();
  }

  /** Hands `chunk` to the worker; `then` runs once the ring has taken it. */
  update(chunk: Uint8Array, then: () => void): void {
    this.bytes += chunk.byteLength;
    this.pool.update(this.job.id, chunk, then);
  }

  /** No more bytes (idempotent): the worker finishes the digests, and lets espy exit once idle. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.pool.end(this.job.id);
  }

  async digests(): Promise<{ size: number } & Result> {
    if (this.pool.failure) throw this.pool.failure;
    this.end();
    return { size: this.bytes, ...(await this.job.result) };
  }
}
