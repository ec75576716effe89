/**
 * The payload of an age file (age-encryption.org/v1, "STREAM"): ChaCha20-Poly1305 over
 * 64 KiB chunks; chunk nonce = 11-byte big-endian counter + 1 flag byte (1 on the last
 * chunk only); payload key = HKDF-SHA256(file key, salt = the 16-byte payload nonce,
 * info "payload"). Done with node:crypto so that writing streams with flat memory and
 * reading can open any one chunk on its own (random access into the sealed zip).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Plaintext bytes per chunk. */
export const CHUNK_BYTES = 64 * 1024;
/** Poly1305 tag after each chunk. */
export const TAG_BYTES = 16;
/** Ciphertext bytes of a full chunk. */
export const SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES;
/** The random payload nonce between the header and the first chunk. */
export const PAYLOAD_NONCE_BYTES = 16;

/** The sealed payload is damaged: truncated, altered, or not an age payload at all. */
export class SealDamagedError extends Error {
  override readonly name = 'SealDamagedError';
}

export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

/** 11-byte big-endian chunk counter, then the last-chunk flag. */
export function chunkNonce(index: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  // Chunk indexes stay far below 2^53; write the high part and the low 32 bits.
  n.writeUInt32BE(Math.floor(index / 2 ** 32), 3);
  n.writeUInt32BE(index >>> 0, 7);
  n[11] = last ? 1 : 0;
  return n;
}

export function sealChunk(key: Buffer, index: number, last: boolean, plain: Uint8Array): Buffer {
  const c = createCipheriv('chacha20-poly1305', key, chunkNonce(index, last), { authTagLength: TAG_BYTES });
  const body = c.update(plain);
  c.final();
  return Buffer.concat([body, c.getAuthTag()]);
}

/** Decrypts one chunk; throws SealDamagedError when it does not authenticate. */
export function openChunk(key: Buffer, index: number, last: boolean, sealed: Uint8Array): Buffer {
  if (sealed.length < TAG_BYTES) throw new SealDamagedError(`chunk ${index} is shorter than its ${TAG_BYTES}-byte tag (truncated)`);
  const d = createDecipheriv('chacha20-poly1305', key, chunkNonce(index, last), { authTagLength: TAG_BYTES });
  d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const body = d.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    d.final();
  } catch {
    throw new SealDamagedError(`chunk ${index}${last ? ' (the last one)' : ''} does not authenticate: the sealed file was altered or truncated`);
  }
  return body;
}

/** Chunk count and plaintext size of a payload of `payloadBytes` (after the nonce). */
export function payloadLayout(payloadBytes: number): { chunks: number; plainSize: number; lastSealed: number } {
  if (payloadBytes < TAG_BYTES) throw new SealDamagedError(`the payload is ${payloadBytes} bytes, less than one chunk tag (truncated)`);
  const chunks = Math.ceil(payloadBytes / SEALED_CHUNK_BYTES);
  const lastSealed = payloadBytes - (chunks - 1) * SEALED_CHUNK_BYTES;
  // A last chunk that holds only a tag is valid only when it is the only chunk (empty payload).
  if (lastSealed <= TAG_BYTES && chunks > 1) throw new SealDamagedError(`the payload size ${payloadBytes} cannot end a chunk sequence (truncated)`);
  return { chunks, plainSize: payloadBytes - chunks * TAG_BYTES, lastSealed };
}

/**
 * Encrypts a byte stream into chunks, prefixed by the header and the payload nonce. One full chunk is held
 * back until more bytes arrive (or the end), because only then is it known whether it is last.
 */
export class SealTransform extends Transform {
  private readonly key: Buffer;
  private readonly nonce: Buffer;
  private readonly header: Uint8Array;
  private pending = Buffer.alloc(CHUNK_BYTES);
  private used = 0;
  private index = 0;
  private started = false;

  /** `header` (the age header) is written first, then the nonce, then the chunks. */
  constructor(fileKey: Uint8Array, header: Uint8Array = new Uint8Array(0), nonce: Buffer = randomBytes(PAYLOAD_NONCE_BYTES)) {
    super({ highWaterMark: 1 << 20 });
    this.header = header;
    this.nonce = nonce;
    this.key = payloadKey(fileKey, nonce);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.push(Buffer.concat([this.header, this.nonce]));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.start();
    let off = 0;
    while (off < chunk.length) {
      if (this.used === CHUNK_BYTES) {
        this.push(sealChunk(this.key, this.index++, false, this.pending));
        this.used = 0;
      }
      const n = Math.min(CHUNK_BYTES - this.used, chunk.length - off);
      chunk.copy(this.pending, this.used, off, off + n);
      this.used += n;
      off += n;
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    this.start();
    this.push(sealChunk(this.key, this.index++, true, this.pending.subarray(0, this.used)));
    cb();
  }
}
