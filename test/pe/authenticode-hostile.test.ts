import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageDirectoryEntry, parsePe, verifyAuthenticode, type AuthenticodeResult } from '../../parsers/pe/index.js';
import { fixture } from './fixtures.js';
import { makeCycle, osslsign } from './signing.js';

/** Hostile Authenticode input: a result with a status, never an exception, in bounded time. */
const STATUSES = ['valid', 'untrusted', 'bad-digest', 'bad-signature', 'malformed', 'unsigned'];
const signed = fixture('xp_fixture_signed.dll');
const secOf = (b: Uint8Array): { at: number; size: number } => {
  const d = parsePe(b).dataDirectories[ImageDirectoryEntry.Security];
  return { at: d?.virtualAddress ?? 0, size: d?.size ?? 0 };
};
const SEC = secOf(signed);
/** File offset of DataDirectory[SECURITY] (PE32+: directories at optional header + 112). */
const secEntry = parsePe(signed).ntHeaderOffset + 24 + (parsePe(signed).is64 ? 112 : 96) + ImageDirectoryEntry.Security * 8;

function verify(b: Uint8Array): AuthenticodeResult {
  const r = verifyAuthenticode(b, parsePe(b), { anchors: [], now: new Date('2027-01-01T00:00:00Z') });
  expect(STATUSES).toContain(r.status);
  return r;
}

/** The signed fixture with its certificate table replaced by WIN_CERTIFICATE entries holding `blobs`. */
function withTable(blobs: Uint8Array[], type = 2): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const blob of blobs) {
    const len = 8 + blob.byteLength;
    const e = new Uint8Array((len + 7) & ~7);
    const v = new DataView(e.buffer);
    v.setUint32(0, len, true);
    v.setUint16(4, 0x200, true);
    v.setUint16(6, type, true);
    e.set(blob, 8);
    parts.push(e);
  }
  const table = Buffer.concat(parts);
  const out = Buffer.concat([signed.subarray(0, SEC.at), table]);
  out.writeUInt32LE(table.byteLength, secEntry + 4);
  return new Uint8Array(out);
}

/** DER TLV with a definite length. */
function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  const n = body.byteLength;
  const len = n < 0x80 ? [n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x84, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}
const OID_SIGNED_DATA = Buffer.from('06092a864886f70d010702', 'hex');
const OID_SPC_INDIRECT = Buffer.from('060a2b060104018237020104', 'hex');

describe('Authenticode hostile input', () => {
  it('every truncation of the certificate table gives a status, never an exception', () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      for (let n = 0; n <= SEC.size; n++) {
        const b = new Uint8Array(signed.subarray(0, SEC.at + n));
        new DataView(b.buffer).setUint32(secEntry + 4, n, true);
        const r = verifyAuthenticode(b, parsePe(b), { anchors: [], now: new Date() });
        expect(STATUSES).toContain(r.status);
        if (n < SEC.size - 8) expect(r.status).toBe(n === 0 ? 'unsigned' : 'malformed');
      }
    } finally {
      Error.stackTraceLimit = limit;
    }
  });

  it('random byte changes inside the PKCS#7 give a status, never an exception (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 8, max: SEC.size - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
        const b = new Uint8Array(signed);
        for (const [o, x] of edits) b[SEC.at + o] = x;
        const r = verify(b);
        if (r.status === 'untrusted') expect(r.best?.calculatedDigest).toBe(r.best?.signedDigest);
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it('random bytes as a WIN_CERTIFICATE body are malformed (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (blob) => {
        expect(verify(withTable([blob])).status).toBe('malformed');
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it('a WIN_CERTIFICATE that is not PKCS#7, or whose length overruns the table, is malformed', () => {
    expect(verify(withTable([new Uint8Array(16)], 1)).best?.reason).toMatch(/type 1 is not PKCS#7/);
    const b = withTable([new Uint8Array(16)]);
    new DataView(b.buffer).setUint32(SEC.at, 0x7fffffff, true);
    expect(verify(b).best?.reason).toMatch(/does not fit/);
  });

  it('bytes hidden after the PKCS#7 inside its WIN_CERTIFICATE make the file malformed, even beside a good signature', () => {
    const hidden = Buffer.concat([signed, Buffer.from('HIDDEN PAYLOAD..')]);
    hidden.writeUInt32LE(hidden.readUInt32LE(SEC.at) + 16, SEC.at);
    hidden.writeUInt32LE(SEC.size + 16, secEntry + 4);
    const r = verify(new Uint8Array(hidden));
    expect(r.status).toBe('malformed');
    expect(r.best?.reason).toMatch(/\d+ byte\(s\) after the PKCS#7 .*data hidden in the certificate table/);
    expect(verify(signed).status).toBe('untrusted');
  });

  it('a certificate table lying over a section is malformed (the section bytes would escape the hash)', () => {
    const b = new Uint8Array(signed);
    const last = parsePe(signed)
      .sections.filter((x) => x.sizeOfRawData > 0)
      .at(-1);
    new DataView(b.buffer).setUint32(secEntry, (last?.pointerToRawData ?? 0) + 8, true);
    new DataView(b.buffer).setUint32(secEntry + 4, 64, true);
    const r = verify(b);
    expect(r.status).toBe('malformed');
    expect(r.best?.reason).toMatch(/overlaps section/);
  });

  it('10,000 certificates in one SignedData: malformed by a named limit, in bounded time', () => {
    const cert = tlv(0x30, tlv(0x30, tlv(0x02, Buffer.from([1]))), tlv(0x30), tlv(0x03, Buffer.from([0])));
    const certs = tlv(0xa0, ...Array.from({ length: 10_000 }, () => cert));
    const sd = tlv(0x30, tlv(0x02, Buffer.from([1])), tlv(0x31), tlv(0x30, OID_SPC_INDIRECT), certs, tlv(0x31));
    const blob = tlv(0x30, OID_SIGNED_DATA, tlv(0xa0, sd));
    const r = verify(withTable([blob]));
    expect(r.status).toBe('malformed');
    expect(r.best?.reason).toMatch(/MAX_SIGNED_DATA_CERTIFICATES/);
  });

  it('2,000 WIN_CERTIFICATE entries: the first ones are read, then a named limit', () => {
    const r = verify(withTable(Array.from({ length: 2000 }, () => new Uint8Array([0x30, 0x00]))));
    expect(r.signatures.length).toBeLessThanOrEqual(65);
    expect(r.signatures[r.signatures.length - 1]?.reason).toMatch(/more than 64 WIN_CERTIFICATE/);
  });

  it('DER nested deeper than the limit is malformed, not a stack overflow', () => {
    let deep: Uint8Array = new Uint8Array([0x05, 0x00]);
    for (let i = 0; i < 5000; i++) deep = tlv(0x30, deep);
    expect(verify(withTable([tlv(0x30, OID_SIGNED_DATA, tlv(0xa0, deep))])).status).toBe('malformed');
  });
});

describe('Authenticode hostile chains', () => {
  const dir = mkdtempSync(join(tmpdir(), 'espy-cycle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a chain cycle (A issued by B, B by A) ends untrusted, each certificate once', () => {
    const { leaf, cas } = makeCycle(dir);
    const out = join(dir, 'cycle.dll');
    osslsign(join(import.meta.dirname, '../fixtures/pe/xp_fixture.dll'), out, leaf, { extra: cas });
    const b = new Uint8Array(readFileSync(out));
    const r = verifyAuthenticode(b, parsePe(b), { anchors: [], now: new Date() });
    expect(r.status).toBe('untrusted');
    const subjects = r.best?.chain.map((c) => c.sha1) ?? [];
    expect(new Set(subjects).size).toBe(subjects.length);
    expect(r.best?.chain.length).toBe(3);
    expect(r.best?.reason).toMatch(/issuer .*cycle A.* is neither in the signature nor a trust anchor/);
  }, 60_000);
});
