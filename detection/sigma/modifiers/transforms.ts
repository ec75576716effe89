import { RuleCompileError } from '../types.js';
import { escapeSigma, parseSigmaString, plainText } from '../sigma-string.js';

/**
 * Value-transforming modifiers (windash, base64, base64offset, utf16le/utf16be/wide/utf16),
 * applied in the order the rule writes them. A value is a raw Sigma string (escapes and
 * wildcards intact), or bytes after a UTF-16 encoding step (to be base64-encoded next).
 */
export interface TValue {
  raw: string;
  bytes?: Uint8Array;
}

export type Transform = (v: TValue) => TValue[];

const UTF8 = new TextEncoder();

function plainOf(v: TValue, mod: string): string {
  const text = plainText(parseSigmaString(v.raw));
  if (text === undefined) {
    throw new RuleCompileError('unsupported-modifier', `'${mod}' on a value with wildcards cannot be encoded`);
  }
  return text;
}

function bytesOf(v: TValue, mod: string): Uint8Array {
  return v.bytes ?? UTF8.encode(plainOf(v, mod));
}

/** Bytes as a one-char-per-byte string (what a matcher sees when no base64 follows). */
function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

function utf16(mod: string, be: boolean, bom: boolean): Transform {
  return (v) => {
    const text = plainOf(v, mod);
    const out = new Uint8Array((bom ? 2 : 0) + text.length * 2);
    let o = 0;
    if (bom) {
      out[0] = be ? 0xfe : 0xff;
      out[1] = be ? 0xff : 0xfe;
      o = 2;
    }
    for (let i = 0; i < text.length; i++) {
      const cu = text.charCodeAt(i);
      out[o++] = be ? cu >> 8 : cu & 0xff;
      out[o++] = be ? cu & 0xff : cu >> 8;
    }
    return [{ raw: escapeSigma(latin1(out)), bytes: out }];
  };
}

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/** Windows command-line dash variants (pySigma `windash`): `-`, `/`, en dash, em dash, horizontal bar. */
const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'] as const;
/** A `-` or `/` that starts a word: preceded by a non-word character or the start, followed by a word character. */
const DASH_AT_WORD_START = /(?<![\w])[-/](?=\w)/g;

export const TRANSFORMS: Readonly<Record<string, Transform>> = {
  windash: (v) => {
    if (v.bytes) throw new RuleCompileError('unsupported-modifier', `'windash' after an encoding modifier`);
    if (!DASH_AT_WORD_START.test(v.raw)) return [v];
    DASH_AT_WORD_START.lastIndex = 0;
    const seen = new Set<string>();
    const out: TValue[] = [];
    for (const d of DASHES) {
      const raw = v.raw.replace(DASH_AT_WORD_START, d);
      if (!seen.has(raw)) {
        seen.add(raw);
        out.push({ raw });
      }
    }
    return out;
  },
  base64: (v) => [{ raw: escapeSigma(b64(bytesOf(v, 'base64'))) }],
  /**
   * The three base64 renderings of a value at offsets 0, 1 and 2 of a larger encoded text,
   * with the unstable leading/trailing characters cut (Sigma spec `base64offset`).
   */
  base64offset: (v) => {
    const bytes = bytesOf(v, 'base64offset');
    const start = [0, 2, 3];
    const end = [0, 3, 2];
    const out: TValue[] = [];
    for (let i = 0; i < 3; i++) {
      const padded = new Uint8Array(i + bytes.length);
      padded.fill(0x20, 0, i);
      padded.set(bytes, i);
      const enc = b64(padded);
      const e = end[(bytes.length + i) % 3] ?? 0;
      out.push({ raw: escapeSigma(enc.slice(start[i], e === 0 ? undefined : enc.length - e)) });
    }
    return out;
  },
  utf16le: utf16('utf16le', false, false),
  wide: utf16('wide', false, false),
  utf16be: utf16('utf16be', true, false),
  utf16: utf16('utf16', false, true),
};
