/**
 * WinZip AES (AE-1/AE-2) decryption for reading espy's own `--password` bundles (written by
 * archiver-zip-encrypted). Format (WinZip "AES Encryption Information"): entry method 99 with
 * extra field 0x9901 { version u16, vendor 'AE', strength u8 (1/2/3 = 128/192/256-bit),
 * actual method u16 }; data = salt (8/12/16 bytes) ‖ password verifier (2) ‖ ciphertext ‖
 * HMAC-SHA1 tag (first 10 bytes). Keys: PBKDF2-HMAC-SHA1(password, salt, 1000 iterations).
 * Cipher: AES-CTR with a little-endian block counter starting at 1 (not Node's big-endian
 * CTR, so the key stream is made with AES-ECB over explicit counter blocks).
 */
import { createCipheriv, createHmac, pbkdf2Sync, timingSafeEqual, type Cipher, type Hmac } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export const AES_EXTRA_FIELD_ID = 0x9901;
export const AES_METHOD = 99;
const PBKDF2_ITERATIONS = 1000;
const TAG_BYTES = 10;

export interface AesEntryInfo {
  keyBytes: 16 | 24 | 32;
  /** The real compression method (0 stored, 8 deflate). */
  actualMethod: number;
}

/** Reads the 0x9901 extra field; undefined when absent or malformed. */
export function parseAesExtra(fields: readonly { id: number; data: Buffer }[]): AesEntryInfo | undefined {
  const f = fields.find((x) => x.id === AES_EXTRA_FIELD_ID);
  if (!f || f.data.length < 7) return undefined;
  const strength = f.data[4];
  const keyBytes = strength === 1 ? 16 : strength === 2 ? 24 : strength === 3 ? 32 : undefined;
  if (!keyBytes) return undefined;
  return { keyBytes, actualMethod: f.data.readUInt16LE(5) };
}

/** Thrown for a wrong password or an altered encrypted entry. */
export class AesError extends Error {
  override readonly name = 'AesError';
}

/** Decrypts one entry's raw data into its (still compressed) payload; checks the verifier and the tag. */
export class AesDecryptStream extends Transform {
  private readonly password: Buffer;
  private readonly info: AesEntryInfo;
  private head: Buffer = Buffer.alloc(0);
  private tail: Buffer = Buffer.alloc(0);
  private ecb: Cipher | undefined;
  private hmac: Hmac | undefined;
  private counter = 1n;
  private pending: Buffer = Buffer.alloc(0);

  constructor(password: Buffer, info: AesEntryInfo) {
    super({ highWaterMark: 1 << 20 });
    this.password = password;
    this.info = info;
  }

  private start(): void {
    const saltLen = this.info.keyBytes / 2;
    const salt = this.head.subarray(0, saltLen);
    const verifier = this.head.subarray(saltLen, saltLen + 2);
    const k = pbkdf2Sync(this.password, salt, PBKDF2_ITERATIONS, 2 * this.info.keyBytes + 2, 'sha1');
    if (!timingSafeEqual(k.subarray(2 * this.info.keyBytes), verifier)) throw new AesError('wrong password for the encrypted bundle');
    const algo = `aes-${this.info.keyBytes * 8}-ecb`;
    this.ecb = createCipheriv(algo, k.subarray(0, this.info.keyBytes), null);
    this.ecb.setAutoPadding(false);
    this.hmac = createHmac('sha1', k.subarray(this.info.keyBytes, 2 * this.info.keyBytes));
  }

  /** Decrypts `data` (ciphertext) with the running counter; keeps a partial block for later. */
  private decrypt(data: Buffer, final: boolean): Buffer {
    this.hmac?.update(data);
    const all = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    const usable = final ? all.length : all.length - (all.length % 16);
    this.pending = Buffer.from(all.subarray(usable));
    const blocks = Math.ceil(usable / 16);
    const ctr = Buffer.alloc(blocks * 16);
    for (let i = 0; i < blocks; i++) {
      // Little-endian 64-bit counter in the first 8 bytes; the rest stays zero.
      ctr.writeBigUInt64LE(this.counter++, i * 16);
    }
    const ks = (this.ecb as Cipher).update(ctr);
    const out = Buffer.allocUnsafe(usable);
    for (let i = 0; i < usable; i++) out[i] = (all[i] as number) ^ (ks[i] as number);
    return out;
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    try {
      let c = chunk;
      if (!this.ecb) {
        const need = this.info.keyBytes / 2 + 2;
        this.head = Buffer.concat([this.head, c]);
        if (this.head.length < need) return cb();
        c = this.head.subarray(need);
        this.head = this.head.subarray(0, need);
        this.start();
      }
      // Hold back the last TAG_BYTES: they are the authentication code.
      const buf = this.tail.length ? Buffer.concat([this.tail, c]) : c;
      if (buf.length <= TAG_BYTES) {
        this.tail = Buffer.from(buf);
        return cb();
      }
      this.tail = Buffer.from(buf.subarray(buf.length - TAG_BYTES));
      cb(null, this.decrypt(buf.subarray(0, buf.length - TAG_BYTES), false));
    } catch (e) {
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      if (!this.ecb) throw new AesError('encrypted entry is truncated (no salt/verifier)');
      if (this.tail.length !== TAG_BYTES) throw new AesError('encrypted entry is truncated (no authentication code)');
      const rest = this.decrypt(Buffer.alloc(0), true);
      const tag = (this.hmac as Hmac).digest().subarray(0, TAG_BYTES);
      if (!timingSafeEqual(tag, this.tail)) throw new AesError('encrypted entry failed its authentication check (altered or wrong password)');
      cb(null, rest);
    } catch (e) {
      cb(e as Error);
    }
  }
}
