/**
 * SHA-256, SHA-1 and MD5 of large files on a thread of their own. Hashing a 1 GiB event log
 * costs ~3 s of CPU; on the main thread it would stand in line with the log's parsing, while
 * the deflate already runs on libuv's pool. Chunks are copied to the worker (the original goes
 * on to the zip); at most `MAX_IN_FLIGHT_BYTES` wait there, so memory stays flat when the
 * worker is slower than the reads.
 */
import { Worker } from 'node:worker_threads';
import type { Digests } from './hashing.js';

const MAX_IN_FLIGHT_BYTES = 16 * 1024 * 1024;

/** Run with `new Worker(code, { eval: true })`: no file path (the same in the source tree, build/ and the executable). */
const HASH_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const jobs = new Map();
parentPort.on('message', (m) => {
  let j = jobs.get(m.id);
  if (!j) jobs.set(m.id, (j = [createHash('sha256'), createHash('sha1'), createHash('md5')]));
  if (m.bytes) {
    for (const h of j) h.update(m.bytes);
    parentPort.postMessage({ id: m.id, acked: m.bytes.byteLength });
  }
  if (m.end) {
    jobs.delete(m.id);
    parentPort.postMessage({ id: m.id, sha256: j[0].digest('hex'), sha1: j[1].digest('hex'), md5: j[2].digest('hex') });
  }
});
`;

interface Job {
  acked(n: number): void;
  done(d: { sha256: string; sha1: string; md5: string }): void;
  fail(e: Error): void;
}

let shared: { worker: Worker; jobs: Map<number, Job>; next: number } | undefined;

function pool(): NonNullable<typeof shared> {
  if (shared) return shared;
  const worker = new Worker(HASH_WORKER_SOURCE, { eval: true });
  worker.unref();
  const s = { worker, jobs: new Map<number, Job>(), next: 1 };
  worker.on('message', (m: { id: number; acked?: number; sha256?: string; sha1?: string; md5?: string }) => {
    const job = s.jobs.get(m.id);
    if (!job) return;
    if (m.acked !== undefined) job.acked(m.acked);
    if (m.sha256 !== undefined) {
      s.jobs.delete(m.id);
      job.done({ sha256: m.sha256, sha1: m.sha1 ?? '', md5: m.md5 ?? '' });
    }
  });
  worker.on('error', (e) => {
    for (const j of s.jobs.values()) j.fail(e);
    s.jobs.clear();
    if (shared === s) shared = undefined;
  });
  shared = s;
  return s;
}

/** The three digests of one stream, computed on the hash worker. */
export class WorkerHasher {
  private readonly id: number;
  private readonly s: NonNullable<typeof shared>;
  private inFlight = 0;
  private waiting: (() => void) | undefined;
  private result: Promise<{ sha256: string; sha1: string; md5: string }>;
  bytes = 0;

  constructor() {
    this.s = pool();
    this.id = this.s.next++;
    this.result = new Promise((resolve, reject) => {
      this.s.jobs.set(this.id, {
        acked: (n) => {
          this.inFlight -= n;
          if (this.waiting && this.inFlight < MAX_IN_FLIGHT_BYTES) {
            const w = this.waiting;
            this.waiting = undefined;
            w();
          }
        },
        done: resolve,
        fail: reject,
      });
    });
    this.result.catch(() => undefined);
  }

  /** Hands a copy of `chunk` to the worker; `then` runs once the worker has room. */
  update(chunk: Uint8Array, then: () => void): void {
    const copy = new Uint8Array(chunk);
    this.bytes += copy.byteLength;
    this.inFlight += copy.byteLength;
    this.s.worker.postMessage({ id: this.id, bytes: copy }, [copy.buffer]);
    if (this.inFlight < MAX_IN_FLIGHT_BYTES) then();
    else this.waiting = then;
  }

  async digests(): Promise<Digests> {
    this.s.worker.postMessage({ id: this.id, end: true });
    const d = await this.result;
    return { size: this.bytes, ...d };
  }
}
