/**
 * Hash while streaming: one read pass teed into the zip entry and the digests.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { WorkerHasher } from './hash-worker.js';

export interface Digests {
  size: number;
  sha256: string;
  sha1: string;
  md5: string;
}

/** Streams at least this large (when the size is known) are hashed on the hash worker. */
export const WORKER_HASH_MIN_BYTES = 8 * 1024 * 1024;

/**
 * A pass-through that feeds SHA-256, SHA-1 and MD5 and counts bytes: in this thread, or on the
 * hash worker for a large stream (`expectedSize` >= WORKER_HASH_MIN_BYTES).
 */
export class HashTee extends Transform {
  private readonly h256: Hash = createHash('sha256');
  private readonly h1: Hash = createHash('sha1');
  private readonly h5: Hash = createHash('md5');
  private readonly worker: WorkerHasher | undefined;
  bytes = 0;

  constructor(expectedSize = 0) {
    super({ highWaterMark: 1 << 20 });
    this.worker = expectedSize >= WORKER_HASH_MIN_BYTES ? new WorkerHasher() : undefined;
    // A stream that ends in an error is never asked for its digests: its job ends anyway.
    this.on('close', () => this.worker?.end());
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.worker) return this.worker.update(chunk, () => cb(null, chunk));
    this.h256.update(chunk);
    this.h1.update(chunk);
    this.h5.update(chunk);
    cb(null, chunk);
  }

  /** Valid once the stream has ended. */
  async digests(): Promise<Digests> {
    if (this.worker) return this.worker.digests();
    return { size: this.bytes, sha256: this.h256.digest('hex'), sha1: this.h1.digest('hex'), md5: this.h5.digest('hex') };
  }
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function digestsOf(data: Uint8Array): Digests {
  return {
    size: data.byteLength,
    sha256: createHash('sha256').update(data).digest('hex'),
    sha1: createHash('sha1').update(data).digest('hex'),
    md5: createHash('md5').update(data).digest('hex'),
  };
}
