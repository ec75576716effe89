/** A bounded little-endian writer over a chunk buffer; positions are chunk-relative. */
export class ChunkFullError extends Error {
  override readonly name = 'ChunkFullError';
}

export class Sink {
  private readonly view: DataView;
  readonly buf: Uint8Array;
  pos: number;
  readonly limit: number;
  constructor(buf: Uint8Array, pos: number, limit: number) {
    this.buf = buf;
    this.pos = pos;
    this.limit = limit;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.limit) throw new ChunkFullError(`record does not fit in chunk at ${this.pos}+${n}`);
  }
  u8(x: number): void { this.need(1); this.view.setUint8(this.pos, x); this.pos += 1; }
  u16(x: number): void { this.need(2); this.view.setUint16(this.pos, x, true); this.pos += 2; }
  u32(x: number): void { this.need(4); this.view.setUint32(this.pos, x >>> 0, true); this.pos += 4; }
  u64(x: bigint): void { this.need(8); this.view.setBigUint64(this.pos, x, true); this.pos += 8; }
  bytes(b: Uint8Array): void { this.need(b.length); this.buf.set(b, this.pos); this.pos += b.length; }
  /** Overwrites a u16/u32 already written (back-patching sizes). */
  patchU16(at: number, x: number): void { this.view.setUint16(at, x, true); }
  patchU32(at: number, x: number): void { this.view.setUint32(at, x >>> 0, true); }
}
