import { open, type FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../parsers/common/index.js';

/** A read-only fs-backed ByteSource; `close()` releases the handle. */
export interface FileSource extends ByteSource {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Opens `path` read-only (`fs.open(path, 'r')`) as a ByteSource. Each `read` allocates a
 * fresh buffer, so callers may keep or transfer what they get.
 */
export async function openFileSource(path: string): Promise<FileSource> {
  const fh: FileHandle = await open(path, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${path}: not a regular file`);
    const size = st.size;
    return {
      path,
      size,
      async read(offset: number, length: number): Promise<Uint8Array> {
        const start = Math.max(0, Math.min(offset, size));
        const n = Math.max(0, Math.min(length, size - start));
        const buf = new Uint8Array(n);
        let got = 0;
        while (got < n) {
          const { bytesRead } = await fh.read(buf, got, n - got, start + got);
          if (bytesRead === 0) break; // file shrank while reading
          got += bytesRead;
        }
        return got === n ? buf : buf.subarray(0, got);
      },
      close: () => fh.close(),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}
