/**
 * Random reads of one zip entry without inflating it whole: a hostile bundle can hold an
 * entry that inflates to gigabytes from a few kilobytes (a zip bomb). Small entries are
 * inflated into memory once; larger ones are read through a forward cursor over the inflate
 * stream, which re-opens the entry only when a read goes backwards; a large stored entry is
 * read at any offset directly (zip64: past 4 GiB). Every read is bounded
 * and every byte is counted as it arrives, so an entry that inflates past its declared size
 * is stopped there.
 */
import type { Readable } from 'node:stream';
import { memorySource, type ByteSource } from '../parsers/common/byte-source.js';

/** Entries declared up to this size are inflated into memory on the first read. */
export const MAX_ENTRY_IN_MEMORY_BYTES = 16 * 1024 * 1024;
/** The most one read of an entry returns: a whole-file read of a larger entry is refused. */
export const MAX_ENTRY_READ_BYTES = 64 * 1024 * 1024;
/** A read this small is kept, so that a parser re-reading what it just read costs nothing. */
export const MAX_KEPT_READ_BYTES = 4 * 1024 * 1024;
/** Backward reads that re-open a large entry; past this the entry is refused (no quadratic re-inflating). */
export const MAX_ENTRY_REOPENS = 64;

/** A read of a zip entry went past a named limit. */
export class ZipLimitError extends Error {
  override readonly name = 'ZipLimitError';
}

export type ZipEntrySource = ByteSource & { close(): Promise<void> };

const EMPTY = Buffer.alloc(0);

/**
 * Reads of a stored (not compressed, not encrypted) entry: the bytes `[start, end)` of the
 * entry straight from the archive, wherever they are (past 4 GiB in a zip64 archive).
 */
export type EntryRange = (start: number, end: number) => Promise<Readable>;

/** The bytes of a range stream, which must be exactly `n` long. */
async function rangeBytes(name: string, stream: Readable, n: number, at: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(n);
  let got = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (got + chunk.length > n) throw new ZipLimitError(`entry ${name}: more bytes than asked at offset ${at}`);
      chunk.copy(out, got);
      got += chunk.length;
    }
  } finally {
    stream.destroy();
  }
  return out.subarray(0, got);
}

/** The last bytes read, kept for a read that falls inside them. */
interface Kept {
  offset: number;
  bytes: Buffer;
}

/**
 * The part of entry `name` (of `size` bytes) that a read asks for, clamped to the entry and
 * refused past MAX_ENTRY_READ_BYTES; `hit` when the kept bytes already hold it.
 */
function readWindow(name: string, size: number, offset: number, length: number, kept: Kept | undefined): { start: number; end: number; hit?: Buffer } {
  const start = Math.max(0, Math.min(offset, size));
  const end = Math.max(start, Math.min(start + Math.max(0, length), size));
  if (end - start > MAX_ENTRY_READ_BYTES) throw new ZipLimitError(`entry ${name}: a read of ${end - start} bytes is larger than ${MAX_ENTRY_READ_BYTES} bytes`);
  if (kept && start >= kept.offset && end <= kept.offset + kept.bytes.length) return { start, end, hit: kept.bytes.subarray(start - kept.offset, end - kept.offset) };
  return { start, end };
}

/**
 * A `ByteSource` over entry `name` of declared `size`. `open` starts a fresh inflate stream;
 * `readAll(cap)` inflates the whole entry with a running cap (small entries); `range`, given
 * for a stored entry, reads any part of it directly (no stream to walk through first).
 */
export function zipEntrySource(name: string, size: number, open: () => Promise<Readable>, readAll: (cap: number) => Promise<Uint8Array>, range?: EntryRange): ZipEntrySource {
  if (range && size > MAX_ENTRY_IN_MEMORY_BYTES) {
    let kept: Kept | undefined;
    return {
      size,
      async read(offset, length) {
        const { start, end, hit } = readWindow(name, size, offset, length, kept);
        if (hit) return hit;
        const n = end - start;
        if (n === 0) return EMPTY;
        const bytes = await rangeBytes(name, await range(start, end), n, start);
        kept = bytes.length <= MAX_KEPT_READ_BYTES ? { offset: start, bytes } : undefined;
        return bytes;
      },
      close() {
        kept = undefined;
        return Promise.resolve();
      },
    };
  }
  if (size <= MAX_ENTRY_IN_MEMORY_BYTES) {
    let whole: Promise<ByteSource> | undefined;
    return {
      size,
      async read(offset, length) {
        whole ??= readAll(MAX_ENTRY_IN_MEMORY_BYTES).then(memorySource);
        return (await whole).read(offset, length);
      },
      close: () => Promise.resolve(),
    };
  }
  let stream: Readable | undefined;
  let chunks: AsyncIterator<Buffer> | undefined;
  /** Stream offset of `head[0]`; `head` holds inflated bytes not yet passed. */
  let pos = 0;
  let head: Buffer = EMPTY;
  let reopens = 0;
  let kept: Kept | undefined;

  const reopen = async (): Promise<AsyncIterator<Buffer>> => {
    if (stream) {
      if (++reopens > MAX_ENTRY_REOPENS) throw new ZipLimitError(`entry ${name}: more than ${MAX_ENTRY_REOPENS} backward reads`);
      stream.destroy();
    }
    stream = await open();
    chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    pos = 0;
    head = EMPTY;
    return chunks;
  };

  return {
    size,
    async read(offset, length) {
      const { start, end, hit } = readWindow(name, size, offset, length, kept);
      if (hit) return hit;
      const n = end - start;
      const it = !chunks || start < pos ? await reopen() : chunks;
      const out = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        if (head.length === 0) {
          const r = await it.next();
          if (r.done) break;
          head = r.value;
          if (pos + head.length > size) throw new ZipLimitError(`entry ${name} inflates past its declared ${size} bytes`);
        }
        const at = start + got;
        if (pos + head.length <= at) {
          // Wholly before the read: skipped, never kept.
          pos += head.length;
          head = EMPTY;
          continue;
        }
        const from = at - pos;
        const take = Math.min(head.length - from, n - got);
        head.copy(out, got, from, from + take);
        got += take;
        pos += from + take;
        head = head.subarray(from + take);
      }
      const bytes = out.subarray(0, got);
      kept = got <= MAX_KEPT_READ_BYTES ? { offset: start, bytes } : undefined;
      return bytes;
    },
    close() {
      stream?.destroy();
      stream = undefined;
      chunks = undefined;
      head = EMPTY;
      kept = undefined;
      return Promise.resolve();
    },
  };
}
