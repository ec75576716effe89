import { randomBytes } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ByteTee } from '../../collector/collect/tee.js';
import { StreamedLogs } from '../../collector/collect/streamed.js';
import { digestsOf, HashTee, WORKER_HASH_MIN_BYTES } from '../../collector/hashing.js';

/** `bytes` as a stream of chunks of the given sizes (cycled). */
function chunked(bytes: Buffer, sizes: number[]): Readable {
  const parts: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length] as number;
    parts.push(bytes.subarray(at, at + n));
    at += n;
  }
  return Readable.from(parts);
}

/** Drains the copy's side, counting bytes. */
function sink(): { w: Writable; bytes: () => number } {
  let n = 0;
  return { w: new Writable({ write: (c: Buffer, _e, cb) => ((n += c.length), cb()) }), bytes: () => n };
}

describe('ByteTee: the copy and a parser read the same bytes once', () => {
  it('a forward reader gets every byte exactly, whatever the chunk sizes; the copy gets them all too', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 123);
    const tee = new ByteTee(data.length, 256 * 1024);
    const out = sink();
    const copying = pipeline(chunked(data, [1, 7000, 65536, 300_001]), tee.transform, out.w);
    const got: Buffer[] = [];
    for (let at = 0; at < data.length; at += 65536) got.push(Buffer.from(await tee.source.read(at, 65536)));
    await tee.source.close();
    await copying;
    expect(Buffer.concat(got).equals(data)).toBe(true);
    expect(out.bytes()).toBe(data.length);
  });

  it('the copy waits for a slow reader (window bounded), and runs on alone once the reader closes', async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const tee = new ByteTee(data.length, 512 * 1024);
    const out = sink();
    const copying = pipeline(chunked(data, [64 * 1024]), tee.transform, out.w);
    await new Promise((r) => setTimeout(r, 50));
    // Nobody read yet: the copy stopped about a window ahead.
    expect(out.bytes()).toBeLessThan(2 * 1024 * 1024);
    expect(Buffer.from(await tee.source.read(0, 4096)).equals(data.subarray(0, 4096))).toBe(true);
    await tee.source.close();
    await copying;
    expect(out.bytes()).toBe(data.length);
  });

  it('a read larger than the window is served (no deadlock); a read behind the window is refused', async () => {
    const data = randomBytes(1024 * 1024);
    const tee = new ByteTee(data.length, 64 * 1024);
    const copying = pipeline(chunked(data, [10_000]), tee.transform, sink().w);
    expect(Buffer.from(await tee.source.read(0, 900_000)).equals(data.subarray(0, 900_000))).toBe(true);
    expect(Buffer.from(await tee.source.read(1000_000, 100_000)).equals(data.subarray(1000_000))).toBe(true);
    await expect(tee.source.read(0, 10)).rejects.toThrow(/forward only/);
    await tee.source.close();
    await copying;
  });

  it('a copy that fails part-way: the reader gets the bytes so far, then the error', async () => {
    const data = randomBytes(200_000);
    const tee = new ByteTee(data.length + 100_000);
    const src = new PassThrough();
    const copying = pipeline(src, tee.transform, sink().w).catch((e: Error) => e);
    src.write(data);
    setTimeout(() => {
      tee.fail(new Error('EIO: i/o error'));
      src.destroy(new Error('EIO: i/o error'));
    }, 10);
    expect(Buffer.from(await tee.source.read(0, 200_000)).equals(data)).toBe(true);
    await expect(tee.source.read(200_000, 50_000)).rejects.toThrow(/EIO/);
    expect(await copying).toBeInstanceOf(Error);
  });
});

describe('StreamedLogs: a parser opens the logs in copy order', () => {
  const a = { originalPath: 'C:\\Windows\\System32\\winevt\\Logs\\Security.evtx', kind: 'evtx' as const, size: 0 };
  const b = { originalPath: 'C:\\Windows\\System32\\winevt\\Logs\\System.evtx', kind: 'evtx' as const, size: 0 };

  it('open waits for the copy to reach the file; a file the copy could not read fails with its reason', async () => {
    const s = new StreamedLogs([a, b]);
    const opening = s.open(a);
    const tee = s.attach(a.originalPath, 3);
    expect(tee).toBeDefined();
    expect((await opening).size).toBe(3);
    s.settle(b.originalPath, 'EACCES: permission denied');
    await expect(s.open(b)).rejects.toThrow(/EACCES/);
    expect(s.attach('C:\\other.evtx', 1)).toBeUndefined();
  });

  it('after close, the copy never gets a tee (it would wait for a reader that is gone)', async () => {
    const s = new StreamedLogs([a, b]);
    s.close();
    expect(s.attach(a.originalPath, 10)).toBeUndefined();
    await expect(s.open(a)).rejects.toThrow(/stopped/);
  });
});

describe('HashTee: the digests are the same in this thread and on the hash worker', () => {
  it.each([1000, WORKER_HASH_MIN_BYTES + 5, 100 * 1024 * 1024 + 7])('%i bytes (the last wraps the ring of the worker several times)', async (size) => {
    const data = randomBytes(size);
    const tee = new HashTee(size);
    await pipeline(chunked(data, [65536, 3, 1 << 20]), tee, sink().w);
    expect(await tee.digests()).toEqual(digestsOf(data));
  });
});
