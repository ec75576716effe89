import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openZip } from '../../collector/zip-reader.js';
import { craftRawZip } from './zip-craft.js';

/**
 * Deflated entries are inflated by the reader itself (in chunks of 1 MiB): every byte comes
 * out, and an entry that inflates to more or fewer bytes than the zip declares fails, as
 * yauzl fails the entries it inflates.
 */
const work = mkdtempSync(join(tmpdir(), 'espy-inflate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** 3 MiB and a bit of varied bytes, so the inflate gives several chunks. */
const DATA = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 12_345 }, (_, i) => (i * 7919) % 251));

async function read(declared: number): Promise<Buffer> {
  const path = join(work, `z-${declared}.zip`);
  writeFileSync(path, craftRawZip([{ name: 'a.bin', stored: deflateRawSync(DATA), deflated: true, size: declared, crc: 0 }]));
  const zip = await openZip(path);
  try {
    const entry = zip.entries.find((e) => e.name === 'a.bin');
    if (!entry) throw new Error('no entry');
    const parts: Buffer[] = [];
    for await (const chunk of await zip.openStream(entry)) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  } finally {
    zip.close();
  }
}

describe('zip reader inflate', () => {
  it('gives every byte of a deflated entry', async () => {
    expect((await read(DATA.length)).equals(DATA)).toBe(true);
  });

  it('fails an entry that inflates past its declared size', async () => {
    await expect(read(DATA.length - 1)).rejects.toThrow(/too many bytes in the stream/);
  });

  it('fails an entry that inflates to less than its declared size', async () => {
    await expect(read(DATA.length + 1)).rejects.toThrow(/not enough bytes in the stream/);
  });
});
