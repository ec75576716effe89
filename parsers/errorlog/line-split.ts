/**
 * Physical lines of an ERRORLOG fed in windows of any size: the streaming form of
 * `readPhysicalLines` (decode.ts), with the same lines, offsets and flags whatever the cut.
 *
 * A line, or one UTF-16 code unit, may be split between two windows: the splitter keeps the
 * unfinished line for the next window, at most its first MAX_LINE_BYTES bytes (what
 * `decodePhysicalLine` decodes). Past that it keeps only the line's length and its last two
 * bytes (a CR before the LF is dropped), so a 100 MB line costs a window, not 100 MB.
 */
import { decoderFor } from '../common/text.js';
import { decodePhysicalLine, type DetectedEncoding, type PhysicalLine } from './decode.js';
import { MAX_LINE_BYTES } from './limits.js';

/** A physical line and, when the splitter still holds all of it, its bytes (without terminator). */
export interface SplitLine extends PhysicalLine {
  bytes?: Uint8Array;
}

/** Bytes of an unfinished line kept whole: enough for the decoded prefix and a trailing CR LF. */
const KEEP_BYTES = MAX_LINE_BYTES + 4;

const EMPTY = new Uint8Array(0);

export class LineSplitter {
  private readonly wide: boolean;
  private readonly bigEndian: boolean;
  private readonly unit: number;
  private readonly decoder: ReturnType<typeof decoderFor>;
  /** Absolute offset of the unfinished line's first byte. */
  private lineStart: number;
  /** Bytes of the unfinished line held (all of it unless `overlong`). */
  private held: Uint8Array = EMPTY;
  /** Length of the unfinished line so far, in bytes. */
  private lineLength = 0;
  private overlong = false;
  /** The unfinished line's last two bytes (overlong lines: the CR test needs them). */
  private lastButOne = -1;
  private last = -1;
  private lineNo = 0;
  /** A UTF-16 byte whose code unit the next window completes. */
  private odd: number | undefined;

  /** `start`: absolute offset of the first byte to split (after any BOM). */
  constructor(enc: DetectedEncoding, start: number) {
    this.wide = enc.encoding.startsWith('utf-16');
    this.bigEndian = enc.encoding === 'utf-16be-bom';
    this.unit = this.wide ? 2 : 1;
    this.decoder = decoderFor(!this.wide ? 'utf-8' : this.bigEndian ? 'utf-16be' : 'utf-16le');
    this.lineStart = start;
  }

  /** The lines that `window` (the bytes right after the previous window) completes. */
  *push(window: Uint8Array): Generator<SplitLine> {
    if (window.length === 0) return;
    // A UTF-16 line's code units stay aligned with its start: a code unit cut by the end of
    // the previous window waits (`odd`) and is searched again with this window.
    // A plain view: a Node Buffer's own `subarray` costs more, once per line.
    const plain = new Uint8Array(window.buffer, window.byteOffset, window.byteLength);
    const buf = this.odd === undefined ? plain : concat(Uint8Array.of(this.odd), plain);
    this.odd = undefined;
    const bufStart = this.lineStart + this.lineLength;
    let from = 0;
    for (let lf = this.nextLineFeed(buf, 0); lf >= 0; lf = this.nextLineFeed(buf, from)) {
      this.take(buf.subarray(from, lf), true);
      yield this.finishLine();
      from = lf + this.unit;
      this.lineStart = bufStart + from;
    }
    const rest = buf.subarray(from);
    if (rest.length % this.unit === 0) this.take(rest);
    else {
      this.take(rest.subarray(0, rest.length - 1));
      this.odd = rest[rest.length - 1];
    }
  }

  /** The last line (no terminator), if the file does not end with one. */
  *end(): Generator<SplitLine> {
    if (this.odd !== undefined) this.take(Uint8Array.of(this.odd));
    this.odd = undefined;
    if (this.lineLength > 0) yield this.finishLine();
  }

  /**
   * Appends `part` to the unfinished line. `borrow`: the line ends with `part`, which stays
   * valid until it is decoded, so a line within one window is never copied.
   */
  private take(part: Uint8Array, borrow = false): void {
    if (part.length === 0) return;
    if (part.length >= 2) {
      this.lastButOne = part[part.length - 2] ?? -1;
      this.last = part[part.length - 1] ?? -1;
    } else {
      this.lastButOne = this.last;
      this.last = part[0] ?? -1;
    }
    this.lineLength += part.length;
    if (this.overlong) return;
    if (this.held.length + part.length <= KEEP_BYTES) {
      this.held = this.held.length === 0 ? (borrow ? part : part.slice()) : concat(this.held, part);
      return;
    }
    this.held = concat(this.held, part.subarray(0, KEEP_BYTES - this.held.length));
    this.overlong = true;
  }

  private finishLine(): SplitLine {
    const u = this.unit;
    let length = this.lineLength;
    if (length >= u) {
      const a = this.lastButOne;
      const b = this.last;
      const isCr = this.wide ? (this.bigEndian ? a === 0 && b === 0x0d : a === 0x0d && b === 0) : b === 0x0d;
      if (isCr) length -= u;
    }
    const head = this.held.subarray(0, Math.min(length, this.held.length));
    const line: SplitLine = decodePhysicalLine(head, length, this.lineStart, ++this.lineNo, this.decoder, this.wide);
    if (!this.overlong) line.bytes = head;
    this.held = EMPTY;
    this.lineLength = 0;
    this.overlong = false;
    this.lastButOne = -1;
    this.last = -1;
    return line;
  }

  /** Index in `buf` of the next line feed at or after `from` (aligned code units for UTF-16), or -1. */
  private nextLineFeed(buf: Uint8Array, from: number): number {
    if (!this.wide) return buf.indexOf(0x0a, from);
    for (let j = buf.indexOf(0x0a, from); j >= 0; j = buf.indexOf(0x0a, j + 1)) {
      const unit = this.bigEndian ? j - 1 : j;
      if (unit < from || (unit - from) % 2 !== 0 || unit + 1 >= buf.length) continue;
      if (buf[this.bigEndian ? unit : unit + 1] === 0) return unit;
    }
    return -1;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
