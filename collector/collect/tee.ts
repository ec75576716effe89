/**
 * One file's bytes for two readers. The copy streams them through `transform` (then hash and
 * deflate); a parser reads the same bytes through `source`, a forward-only ByteSource, while
 * they pass. The window between the two is bounded: when the parser falls behind, the copy
 * waits; when the parser stops reading (`close`), the copy goes on alone.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { ByteSource } from '../../parsers/common/byte-source.js';

/** Bytes held for a parser that is behind the copy before the copy waits for it. */
export const TEE_WINDOW_BYTES = 8 * 1024 * 1024;

export class ByteTee {
  readonly transform: Transform;
  readonly source: ByteSource & { close(): Promise<void> };
  private chunks: Buffer[] = [];
  /** File offset of chunks[0]. */
  private start = 0;
  private buffered = 0;
  private received = 0;
  private ended = false;
  private detached = false;
  private failure: Error | undefined;
  /** The parser waits for bytes up to this offset (0 = not waiting). */
  private wantUpTo = 0;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  private readonly window: number;

  constructor(size: number, window = TEE_WINDOW_BYTES) {
    this.window = window;
    this.transform = new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) => this.take(chunk, () => cb(null, chunk)),
      flush: (cb: TransformCallback) => {
        this.finish();
        cb();
      },
    });
    this.transform.on('close', () => this.finish());
    this.source = { size, forwardOnly: true, read: (o, n) => this.read(o, n), close: () => Promise.resolve(this.detach()) };
  }

  /** The copy failed part-way: the parser sees the bytes so far, then this error. */
  fail(e: Error): void {
    this.failure ??= e;
    this.finish();
  }

  private take(chunk: Buffer, pass: () => void): void {
    if (!this.detached) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    this.received += chunk.length;
    this.notifyReader();
    if (this.mustWait()) this.wakeWriter = pass;
    else pass();
  }

  /** The copy waits only while the parser is behind by a full window and is not itself waiting. */
  private mustWait(): boolean {
    return !this.detached && !this.ended && this.buffered >= this.window && this.wantUpTo <= this.received;
  }

  private notifyReader(): void {
    if (this.wakeReader && (this.ended || this.received >= this.wantUpTo)) {
      const w = this.wakeReader;
      this.wakeReader = undefined;
      w();
    }
  }

  private notifyWriter(): void {
    if (this.wakeWriter && !this.mustWait()) {
      const w = this.wakeWriter;
      this.wakeWriter = undefined;
      w();
    }
  }

  private finish(): void {
    this.ended = true;
    this.notifyReader();
    this.notifyWriter();
  }

  /** The parser is done with this file: the bytes it did not read are not kept. */
  private detach(): void {
    this.detached = true;
    this.chunks = [];
    this.buffered = 0;
    this.notifyWriter();
  }

  private async read(offset: number, length: number): Promise<Uint8Array> {
    if (this.detached) throw new Error('read after close');
    if (offset < this.start) throw new Error(`read at ${offset} is behind the streamed window (at ${this.start}): the tee reads forward only`);
    const end = offset + Math.max(0, length);
    if (this.received < end && !this.ended) {
      this.wantUpTo = end;
      this.notifyWriter();
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
      this.wantUpTo = 0;
    }
    this.dropBefore(offset);
    const out = this.slice(offset, Math.min(end, this.received));
    if (out.length < length && this.failure) throw this.failure;
    this.notifyWriter();
    return out;
  }

  private dropBefore(offset: number): void {
    while (this.chunks.length > 0) {
      const first = this.chunks[0] as Buffer;
      if (this.start + first.length > offset) break;
      this.chunks.shift();
      this.start += first.length;
      this.buffered -= first.length;
    }
  }

  private slice(from: number, to: number): Uint8Array {
    if (to <= from) return new Uint8Array(0);
    const parts: Buffer[] = [];
    let at = this.start;
    for (const c of this.chunks) {
      const cEnd = at + c.length;
      if (cEnd > from && at < to) parts.push(c.subarray(Math.max(0, from - at), Math.min(c.length, to - at)));
      if (cEnd >= to) break;
      at = cEnd;
    }
    // A copy, never a view: whatever the parser keeps of a record must not hold a whole read chunk of the copy alive.
    return Buffer.concat(parts);
  }
}
