import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { headerLength, sealHeader, openHeader, WrongIdentityError } from '../../../collector/seal/header.js';
import { openSealedFile } from '../../../collector/seal/sealed-file.js';
import { chunkNonce, CHUNK_BYTES, payloadLayout, SealDamagedError, SealTransform } from '../../../collector/seal/stream.js';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { tempDirs } from '../testdir.js';

const { tmp } = tempDirs();
const AGE = '/usr/bin/age';

function needAge(): boolean {
  if (existsSync(AGE)) return true;
  if (process.env.CI) throw new Error(`${AGE} missing in CI: .ci/run must install age`);
  return false;
}

/** Seals `plain` fed in pieces of `piece` bytes (awkward sizes on purpose). */
async function seal(plain: Buffer, recipients: string[], piece: number): Promise<Buffer> {
  const { header, fileKey } = await sealHeader(recipients);
  const t = new SealTransform(fileKey, header);
  const parts: Buffer[] = [];
  t.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise((r) => t.on('end', r));
  const src = new PassThrough();
  src.pipe(t);
  for (let o = 0; o < plain.length; o += piece) src.write(plain.subarray(o, o + piece));
  src.end();
  await done;
  return Buffer.concat(parts);
}

describe('age STREAM', () => {
  it('chunk nonces: 11-byte big-endian counter, then the last flag', () => {
    expect(chunkNonce(0, false).toString('hex')).toBe('000000000000000000000000');
    expect(chunkNonce(1, true).toString('hex')).toBe('000000000000000000000101');
    expect(chunkNonce(2 ** 32 + 2, false).toString('hex')).toBe('000000000000010000000200');
  });

  it('layout: sizes at chunk boundaries; a tag-only tail after full chunks is refused', () => {
    expect(payloadLayout(16)).toEqual({ chunks: 1, plainSize: 0, lastSealed: 16 });
    expect(payloadLayout(CHUNK_BYTES + 16)).toEqual({ chunks: 1, plainSize: CHUNK_BYTES, lastSealed: CHUNK_BYTES + 16 });
    expect(payloadLayout(CHUNK_BYTES + 16 + 17).plainSize).toBe(CHUNK_BYTES + 1);
    expect(() => payloadLayout(CHUNK_BYTES + 16 + 16)).toThrow(SealDamagedError);
    expect(() => payloadLayout(15)).toThrow(SealDamagedError);
  });

  for (const size of [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES, 3 * CHUNK_BYTES + 12345]) {
    it(`${size} bytes: Debian age decrypts espy's output, espy reads it back at random offsets`, async () => {
      const id = await generateX25519Identity();
      const plain = randomBytes(size);
      const sealed = await seal(plain, [await identityToRecipient(id)], 7919);
      const dir = tmp('espy-seal-');
      const f = join(dir, 'x.age');
      writeFileSync(f, sealed);
      if (needAge()) {
        writeFileSync(join(dir, 'id.txt'), `${id}\n`);
        const r = spawnSync(AGE, ['-d', '-i', join(dir, 'id.txt'), f], { maxBuffer: 1 << 26 });
        expect(r.status, r.stderr?.toString()).toBe(0);
        expect(Buffer.compare(r.stdout, plain)).toBe(0);
      }
      const s = await openSealedFile(f, [id]);
      try {
        expect(s.size).toBe(size);
        await s.checkAll();
        expect(Buffer.compare(Buffer.from(await s.read(0, size)), plain)).toBe(0);
        for (const [o, n] of [
          [size - 3, 10],
          [CHUNK_BYTES - 5, 10],
          [1, 2 * CHUNK_BYTES],
          [size + 5, 4],
        ] as const) {
          const want = plain.subarray(Math.max(0, Math.min(o, size)), Math.max(0, Math.min(o + n, size)));
          expect(Buffer.compare(Buffer.from(await s.read(o, n)), want)).toBe(0);
        }
      } finally {
        await s.close();
      }
    });
  }

  it('a header for other recipients is WrongIdentityError; a cut header is damage', async () => {
    const { header } = await sealHeader([await identityToRecipient(await generateX25519Identity())]);
    expect(headerLength(header)).toBe(header.length);
    await expect(openHeader(header, [await generateX25519Identity()])).rejects.toBeInstanceOf(WrongIdentityError);
    expect(() => headerLength(header.subarray(0, header.length - 50))).toThrow(SealDamagedError);
    expect(() => headerLength(Buffer.from('PK\x03\x04 not age'))).toThrow(/not an age file/);
  });
});
