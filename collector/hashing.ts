/**
 * Hash while streaming: one read pass teed into the zip entry and the digests.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export interface Digests {
  size: number;
  sha256: string;
  sha1: string;
  md5: string;
}

/** A pass-through that feeds SHA-256, SHA-1 and MD5 and counts bytes. */
export class HashTee extends Transform {
  private readonly h256: Hash = createHash('sha256');
  private readonly h1: Hash = createHash('sha1');
  private readonly h5: Hash = createHash('md5');
  bytes = 0;

  constructor() {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.h256.update(chunk);
    this.h1.update(chunk);
    this.h5.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  /** Valid once the stream has ended. */
  digests(): Digests {
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
