/**
 * Typed substitution values for Binary XML templates, encoded the way Windows writes them
 * (libyal EVTX document §4.2 "Value types"; [MS-EVEN6] §2.2.12 "Substitution array").
 */

/** Binary XML value type codes used by the writer. */
export const VALUE_TYPE = {
  null: 0x00,
  string: 0x01,
  uint8: 0x04,
  uint16: 0x06,
  uint32: 0x08,
  uint64: 0x0a,
  binary: 0x0e,
  guid: 0x0f,
  sizeT: 0x10,
  filetime: 0x11,
  sid: 0x13,
  hexInt32: 0x14,
  hexInt64: 0x15,
  binXml: 0x21,
  stringArray: 0x81,
} as const;
export type ValueTypeName = keyof typeof VALUE_TYPE;

/** One substitution value: a type tag plus its payload. */
export type TypedValue =
  | { type: 'null' }
  | { type: 'string'; value: string }
  | { type: 'uint8' | 'uint16' | 'uint32'; value: number }
  | { type: 'uint64' | 'hexInt64' | 'sizeT'; value: bigint }
  | { type: 'hexInt32'; value: number }
  | { type: 'binary'; value: Uint8Array }
  | { type: 'guid'; value: string }
  | { type: 'filetime'; value: string }
  | { type: 'sid'; value: string }
  | { type: 'stringArray'; value: readonly string[] };

export const v = {
  null: (): TypedValue => ({ type: 'null' }),
  str: (value: string): TypedValue => ({ type: 'string', value }),
  u8: (value: number): TypedValue => ({ type: 'uint8', value }),
  u16: (value: number): TypedValue => ({ type: 'uint16', value }),
  u32: (value: number): TypedValue => ({ type: 'uint32', value }),
  u64: (value: bigint | number): TypedValue => ({ type: 'uint64', value: BigInt(value) }),
  hex64: (value: bigint | number): TypedValue => ({ type: 'hexInt64', value: BigInt(value) }),
  sizeT: (value: bigint | number): TypedValue => ({ type: 'sizeT', value: BigInt(value) }),
  guid: (value: string): TypedValue => ({ type: 'guid', value }),
  sid: (value: string): TypedValue => ({ type: 'sid', value }),
  filetime: (iso: string): TypedValue => ({ type: 'filetime', value: iso }),
  binary: (value: Uint8Array): TypedValue => ({ type: 'binary', value }),
  strings: (value: readonly string[]): TypedValue => ({ type: 'stringArray', value }),
};

const FILETIME_UNIX_EPOCH_TICKS = 116444736000000000n;
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?Z$/;

/** ISO-8601 UTC (`2026-03-14T02:17:43.1234567Z`, up to 7 fractional digits) → FILETIME ticks. */
export function isoToFiletime(iso: string): bigint {
  const m = ISO_RE.exec(iso);
  if (!m) throw new Error(`not an ISO-8601 UTC timestamp with Z: ${iso}`);
  const [, y, mo, d, h, mi, s, frac = ''] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const ticks = BigInt(frac.padEnd(7, '0'));
  return BigInt(ms) * 10000n + FILETIME_UNIX_EPOCH_TICKS + ticks;
}

const UTF16 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf16le'));

/** `{5770385f-c22a-43e0-bf4c-06f5698ffbd9}` → 16 bytes (Data1..3 little-endian, Data4 as is). */
export function encodeGuid(text: string): Uint8Array {
  const hex = text.replace(/[{}-]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`bad GUID: ${text}`);
  const b = Buffer.from(hex, 'hex');
  const out = Buffer.alloc(16);
  out.writeUInt32LE(b.readUInt32BE(0), 0);
  out.writeUInt16LE(b.readUInt16BE(4), 4);
  out.writeUInt16LE(b.readUInt16BE(6), 6);
  b.copy(out, 8, 8, 16);
  return new Uint8Array(out);
}

/** `S-1-5-21-...` → binary SID (revision, count, 48-bit big-endian authority, LE sub-authorities). */
export function encodeSid(text: string): Uint8Array {
  const parts = text.split('-');
  if (parts[0] !== 'S' || parts.length < 3) throw new Error(`bad SID: ${text}`);
  const subs = parts.slice(3).map(Number);
  const out = Buffer.alloc(8 + 4 * subs.length);
  out.writeUInt8(Number(parts[1]), 0);
  out.writeUInt8(subs.length, 1);
  out.writeUIntBE(Number(parts[2]), 2, 6);
  subs.forEach((s, i) => out.writeUInt32LE(s >>> 0, 8 + 4 * i));
  return new Uint8Array(out);
}

/** Encodes a value's payload (the bytes that follow the substitution descriptor array). */
export function encodeValue(val: TypedValue): Uint8Array {
  const b = (n: number): Buffer => Buffer.alloc(n);
  switch (val.type) {
    case 'null':
      return new Uint8Array(0);
    case 'string':
      // Manifest providers write strings without a terminating NUL (see Sysmon/Security samples).
      return UTF16(val.value);
    case 'uint8': {
      const o = b(1); o.writeUInt8(val.value); return new Uint8Array(o);
    }
    case 'uint16': {
      const o = b(2); o.writeUInt16LE(val.value); return new Uint8Array(o);
    }
    case 'uint32':
    case 'hexInt32': {
      const o = b(4); o.writeUInt32LE(val.value >>> 0); return new Uint8Array(o);
    }
    case 'uint64':
    case 'hexInt64':
    case 'sizeT': {
      const o = b(8); o.writeBigUInt64LE(val.value); return new Uint8Array(o);
    }
    case 'filetime': {
      const o = b(8); o.writeBigUInt64LE(isoToFiletime(val.value)); return new Uint8Array(o);
    }
    case 'binary':
      return val.value;
    case 'guid':
      return encodeGuid(val.value);
    case 'sid':
      return encodeSid(val.value);
    case 'stringArray':
      // Classic (ReportEvent) insertion strings: each NUL-terminated, concatenated.
      return UTF16(val.value.map((s) => `${s}\0`).join(''));
  }
}
