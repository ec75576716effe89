/**
 * The first bytes of a file, for what is read only in part (an export's DLL names, a stray
 * manifest). A link at the path is not followed: it could lead out of the evidence.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Up to `n` bytes from the start of the file at `path`; throws when it cannot be opened (a link included). */
export async function readPrefix(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
