/**
 * yauzl's random-access reader over the plaintext of a sealed bundle: the zip reader reads
 * the central directory and each entry from decrypted chunks, a range at a time, so memory
 * stays flat whatever the bundle size and no plaintext zip is written anywhere.
 */
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { SealedFile } from './sealed-file.js';

/** Bytes decrypted per step of a streamed range (one read per step). */
export const RANGE_STEP_BYTES = 1024 * 1024;

class SealedRandomAccessReader extends yauzl.RandomAccessReader {
  private readonly file: SealedFile;
  private closed = false;

  constructor(file: SealedFile) {
    super();
    this.file = file;
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const file = this.file;
    let pos = start;
    return new Readable({
      highWaterMark: RANGE_STEP_BYTES,
      read(): void {
        if (pos >= end) {
          this.push(null);
          return;
        }
        const n = Math.min(RANGE_STEP_BYTES, end - pos);
        file.read(pos, n).then(
          (b) => {
            if (b.length === 0) {
              this.destroy(new Error(`the sealed zip ends at ${pos}, before ${end}`));
              return;
            }
            pos += b.length;
            this.push(b);
          },
          (e: Error) => this.destroy(e),
        );
      },
    });
  }

  override close(cb: (err: Error | null) => void): void {
    if (this.closed) return cb(null);
    this.closed = true;
    this.file.close().then(
      () => cb(null),
      (e: Error) => cb(e),
    );
  }
}

/** What openZip needs to read a zip that is not a plain file. */
export interface RandomAccessZip {
  reader: yauzl.RandomAccessReader;
  size: number;
}

export function sealedZipSource(file: SealedFile): RandomAccessZip {
  return { reader: new SealedRandomAccessReader(file), size: file.size };
}
