/**
 * Random access to the plaintext of an age file without a plaintext copy anywhere: a read
 * decrypts only the chunks it covers (a few recent chunks are kept). Opening checks the
 * header MAC and the last chunk, so a truncated file is refused before anything is read.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../../parsers/common/byte-source.js';
import { headerLength, MAX_HEADER_BYTES, openHeader } from './header.js';
import { CHUNK_BYTES, openChunk, PAYLOAD_NONCE_BYTES, payloadKey, payloadLayout, SEALED_CHUNK_BYTES, SealDamagedError } from './stream.js';

/** Decrypted chunks kept for nearby reads (64 KiB each). */
export const CHUNK_CACHE_ENTRIES = 16;
/** Chunks read per file read by `checkAll`. */
export const CHECK_BATCH_CHUNKS = 16;

export interface SealedFile extends ByteSource {
  readonly path: string;
  /** Bytes of the age file itself. */
  readonly sealedSize: number;
  /** Authenticates every chunk in order (flat memory); throws SealDamagedError at the first bad one. */
  checkAll(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** True when the file starts with the age v1 header line (content, not the name, decides). */
export async function isSealedFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(22);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    return b.subarray(0, bytesRead).toString('latin1') === 'age-encryption.org/v1\n';
  } finally {
    await fh.close();
  }
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const b = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(b, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? b : b.subarray(0, got);
}

export async function openSealedFile(path: string, identities: readonly string[]): Promise<SealedFile> {
  const fh = await open(path, 'r');
  try {
    const sealedSize = (await fh.stat()).size;
    const head = await readAt(fh, 0, Math.min(sealedSize, MAX_HEADER_BYTES));
    const hlen = headerLength(head);
    const fileKey = await openHeader(head.subarray(0, hlen), identities);
    const nonce = await readAt(fh, hlen, PAYLOAD_NONCE_BYTES);
    if (nonce.length < PAYLOAD_NONCE_BYTES) throw new SealDamagedError('the sealed file ends inside the payload nonce (truncated)');
    const start = hlen + PAYLOAD_NONCE_BYTES;
    const layout = payloadLayout(sealedSize - start);
    const key = payloadKey(fileKey, nonce);
    const cache = new Map<number, Buffer>();
    let closing: Promise<void> | undefined;
    const chunk = async (i: number): Promise<Buffer> => {
      const hit = cache.get(i);
      if (hit) {
        cache.delete(i);
        cache.set(i, hit);
        return hit;
      }
      const last = i === layout.chunks - 1;
      const sealed = await readAt(fh, start + i * SEALED_CHUNK_BYTES, last ? layout.lastSealed : SEALED_CHUNK_BYTES);
      const plain = openChunk(key, i, last, sealed);
      if (last && plain.length === 0 && layout.chunks > 1) throw new SealDamagedError('the last chunk is empty (not a valid age payload)');
      cache.set(i, plain);
      if (cache.size > CHUNK_CACHE_ENTRIES) cache.delete(cache.keys().next().value as number);
      return plain;
    };
    // A file cut at a chunk boundary fails here: its new last chunk is not flagged last.
    await chunk(layout.chunks - 1);
    return {
      path,
      sealedSize,
      size: layout.plainSize,
      async read(offset, length) {
        const from = Math.max(0, Math.min(offset, layout.plainSize));
        const to = Math.max(from, Math.min(from + Math.max(0, length), layout.plainSize));
        if (to === from) return new Uint8Array(0);
        const first = Math.floor(from / CHUNK_BYTES);
        const lastIdx = Math.floor((to - 1) / CHUNK_BYTES);
        if (first === lastIdx) {
          const c = await chunk(first);
          return c.subarray(from - first * CHUNK_BYTES, to - first * CHUNK_BYTES);
        }
        const out = Buffer.alloc(to - from);
        for (let i = first; i <= lastIdx; i++) {
          const c = await chunk(i);
          const cs = i * CHUNK_BYTES;
          const a = Math.max(from, cs);
          const b = Math.min(to, cs + c.length);
          c.copy(out, a - from, a - cs, b - cs);
        }
        return out;
      },
      async checkAll(signal) {
        for (let i = 0; i < layout.chunks; i += CHECK_BATCH_CHUNKS) {
          if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('interrupted');
          const n = Math.min(CHECK_BATCH_CHUNKS, layout.chunks - i);
          const bytes = (n - 1) * SEALED_CHUNK_BYTES + (i + n === layout.chunks ? layout.lastSealed : SEALED_CHUNK_BYTES);
          const batch = await readAt(fh, start + i * SEALED_CHUNK_BYTES, bytes);
          if (batch.length < bytes) throw new SealDamagedError(`the sealed file shrank while being read (at chunk ${i})`);
          for (let j = 0; j < n; j++) {
            const idx = i + j;
            openChunk(key, idx, idx === layout.chunks - 1, batch.subarray(j * SEALED_CHUNK_BYTES, Math.min(batch.length, (j + 1) * SEALED_CHUNK_BYTES)));
          }
        }
      },
      close: () => (closing ??= fh.close()),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}
