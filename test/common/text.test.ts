import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText, decodeWindows1252, SNIFF_BYTES, sniffEncoding } from '../../parsers/common/text.js';

const LINE = "2026-11-02 10:04:11.52 spid52      Attempting to load library 'z.dll' into memory.\r\n";
const bomLe = (t: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]);
const bomBe = (t: string): Buffer => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(t, 'utf16le').swap16()]);

describe('sniffEncoding', () => {
  it('trusts a byte-order mark', () => {
    expect(sniffEncoding(bomLe(LINE))).toEqual({ encoding: 'utf-16le', bomBytes: 2 });
    expect(sniffEncoding(bomBe(LINE))).toEqual({ encoding: 'utf-16be', bomBytes: 2 });
    expect(sniffEncoding(Buffer.from(`\ufeff${LINE}`, 'utf8'))).toEqual({ encoding: 'utf-8', bomBytes: 3 });
  });

  it('finds BOM-less UTF-16LE by its NULs at odd positions', () => {
    expect(sniffEncoding(Buffer.from(LINE, 'utf16le'))).toEqual({ encoding: 'utf-16le', bomBytes: 0 });
    expect(sniffEncoding(Buffer.from(LINE, 'utf8'))).toEqual({ encoding: 'utf-8', bomBytes: 0 });
  });

  it('needs four pairs and a clear pattern before it says UTF-16', () => {
    expect(sniffEncoding(Buffer.from('abc', 'utf16le'))).toEqual({ encoding: 'utf-8', bomBytes: 0 });
    expect(sniffEncoding(Buffer.from('abcd', 'utf16le'))).toEqual({ encoding: 'utf-16le', bomBytes: 0 });
    // All NULs (a zeroed file) and text with a few NULs are not UTF-16LE.
    expect(sniffEncoding(new Uint8Array(64)).encoding).toBe('utf-8');
    expect(sniffEncoding(Buffer.from('a\0b\0cdefghijklmnop', 'latin1')).encoding).toBe('utf-8');
    expect(sniffEncoding(new Uint8Array()).encoding).toBe('utf-8');
    expect(sniffEncoding(Uint8Array.of(0xff)).encoding).toBe('utf-8');
  });

  it('looks at the first SNIFF_BYTES only', () => {
    const head = Buffer.from('x'.repeat(SNIFF_BYTES / 2), 'utf16le');
    expect(sniffEncoding(Buffer.concat([head, Buffer.from('y'.repeat(10_000), 'utf8')])).encoding).toBe('utf-16le');
  });
});

describe('decodeText', () => {
  it('decodes each encoding without its BOM', () => {
    expect(decodeText(bomLe(LINE))).toEqual({ text: LINE, encoding: 'utf-16le', bom: true, fallback: false });
    expect(decodeText(bomBe(LINE))).toEqual({ text: LINE, encoding: 'utf-16be', bom: true, fallback: false });
    expect(decodeText(Buffer.from(LINE, 'utf16le'))).toEqual({ text: LINE, encoding: 'utf-16le', bom: false, fallback: false });
    expect(decodeText(Buffer.from(`\ufeffé${LINE}`, 'utf8'))).toEqual({ text: `é${LINE}`, encoding: 'utf-8', bom: true, fallback: false });
  });

  it('replaces invalid UTF-8, or re-reads the text as Windows-1252 when asked', () => {
    const cp1252 = Buffer.from([0x43, 0x3a, 0x5c, 0x44, 0xe9, 0x6d, 0x6f, 0x80]); // C:\Démo€ in Windows-1252
    expect(decodeText(cp1252)).toMatchObject({ text: 'C:\\D\uFFFDmo\uFFFD', encoding: 'utf-8', fallback: false });
    expect(decodeText(cp1252, { invalidUtf8: 'windows-1252' })).toEqual({ text: 'C:\\Démo€', encoding: 'windows-1252', bom: false, fallback: true });
    expect(decodeText(Buffer.from('C:\\Démo€', 'utf8'), { invalidUtf8: 'windows-1252' })).toMatchObject({ text: 'C:\\Démo€', fallback: false });
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, cp) => {
        const d = decodeText(bytes, cp ? { invalidUtf8: 'windows-1252' } : {});
        expect(typeof d.text).toBe('string');
      }),
    );
  });

  it('round-trips any text written as UTF-16LE with a BOM or as UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (t) => {
        expect(decodeText(bomLe(t)).text).toBe(t);
        expect(decodeText(Buffer.from(`\ufeff${t}`, 'utf8')).text).toBe(t);
      }),
    );
  });
});

describe('decodeWindows1252', () => {
  it('maps 0x80–0x9F by the Windows-1252 table, the rest as Latin-1', () => {
    expect(decodeWindows1252(Uint8Array.of(0x80, 0x8a, 0x93, 0x94, 0x99, 0x9f, 0x81, 0xe9, 0xff, 0x41))).toBe('€Š“”™Ÿ\u0081éÿA');
  });
});
