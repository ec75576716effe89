/**
 * Random-access bytes with a known size. Implemented by the collector over
 * files (fs, read-only) and by tests in memory. Parsers only ever see this interface.
 */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Reads up to `length` bytes at `offset`. Returns fewer bytes only at the end of the
   * source; never throws for an in-range request of a healthy source.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * True when the bytes stream past once (a file being copied): reads must go forward, a
   * parser that needs two passes reads in one instead.
   */
  readonly forwardOnly?: boolean;
}

/** A ByteSource over bytes already in memory (tests, small files, bundle entries). */
export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.byteLength,
    read(offset: number, length: number): Promise<Uint8Array> {
      const start = Math.max(0, Math.min(offset, bytes.byteLength));
      const end = Math.max(start, Math.min(start + Math.max(0, length), bytes.byteLength));
      return Promise.resolve(bytes.subarray(start, end));
    },
  };
}
