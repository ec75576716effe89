/**
 * Writes a text given as string pieces to a file with backpressure: the next piece is asked
 * for only when the stream has room, so a text of hundreds of MB never sits in memory whole.
 * The file is written as `name.partial` and renamed when complete, so no half file ever
 * carries the real name.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';

/** Bytes the stream buffers before a write waits for it to drain. */
export const PIECE_WRITER_HIGH_WATER = 1024 * 1024;

function closed(out: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

/**
 * Writes `pieces` (UTF-8) to `path`. When `signal` aborts, the writing stops between pieces,
 * the partial file is removed and the signal's reason is thrown.
 */
export async function writeTextPieces(path: string, pieces: Iterable<string>, signal?: AbortSignal): Promise<void> {
  const tmp = `${path}.partial`;
  const out = createWriteStream(tmp, { encoding: 'utf8', highWaterMark: PIECE_WRITER_HIGH_WATER });
  let failure: unknown;
  out.on('error', (e) => (failure ??= e));
  try {
    await once(out, 'open');
    for (const piece of pieces) {
      if (failure !== undefined) throw failure;
      signal?.throwIfAborted();
      // `once` rejects if the stream fails while it waits.
      if (!out.write(piece)) await once(out, 'drain');
    }
    if (failure !== undefined) throw failure;
    signal?.throwIfAborted();
    await closed(out);
    await rename(tmp, path);
  } catch (e) {
    out.destroy();
    await rm(tmp, { force: true });
    throw failure ?? e;
  }
}
