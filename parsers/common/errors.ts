/**
 * The parser error family. Every parser throws only `FormatError`s for bad
 * input; anything else escaping a parser is a bug.
 */

export const FORMAT_ERROR_CODES = ['TRUNCATED', 'BAD_MAGIC', 'BAD_CHECKSUM', 'LIMIT_EXCEEDED', 'CYCLE', 'UNSUPPORTED_TOKEN', 'UNSUPPORTED_VALUE_TYPE', 'INVALID'] as const;
export type FormatErrorCode = (typeof FORMAT_ERROR_CODES)[number];

export interface FormatErrorInit {
  code: FormatErrorCode;
  /** Which format raised it: 'evtx', 'pe', 'errorlog', ... */
  format: string;
  /** Absolute offset in the file (or line number for text formats) where it happened. */
  offset: number;
  /** What was being read, e.g. 'chunk.freeSpaceOffset'. */
  what: string;
  message?: string;
  cause?: unknown;
}

export class FormatError extends Error {
  override readonly name: string = 'FormatError';
  readonly code: FormatErrorCode;
  readonly format: string;
  readonly offset: number;
  readonly what: string;

  constructor(init: FormatErrorInit) {
    super(init.message ?? `${init.format}: ${init.code} at offset ${init.offset} (${init.what})`, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.format = init.format;
    this.offset = init.offset;
    this.what = init.what;
  }
}

/** A read past the end of the available bytes. */
export class TruncatedError extends FormatError {
  override readonly name = 'TruncatedError';
  readonly need: number;
  readonly have: number;

  constructor(format: string, what: string, offset: number, need: number, have: number) {
    super({
      code: 'TRUNCATED',
      format,
      offset,
      what,
      message: `${format}: truncated reading ${what} at offset ${offset}: need ${need} bytes, have ${have}`,
    });
    this.need = need;
    this.have = have;
  }
}

/** A named limit (see each format's limits.ts) was breached. */
export class LimitExceededError extends FormatError {
  override readonly name = 'LimitExceededError';
  readonly limit: string;
  readonly value: number;
  readonly max: number;

  constructor(format: string, limit: string, value: number, max: number, offset: number) {
    super({
      code: 'LIMIT_EXCEEDED',
      format,
      offset,
      what: limit,
      message: `${format}: limit ${limit} exceeded at offset ${offset}: ${value} > ${max}`,
    });
    this.limit = limit;
    this.value = value;
    this.max = max;
  }
}

/** Returns `value` when it is within `max`, else throws `LimitExceededError`. */
export function checkLimit(format: string, limit: string, value: number, max: number, offset: number): number {
  if (value > max) throw new LimitExceededError(format, limit, value, max, offset);
  return value;
}

export function isFormatError(e: unknown): e is FormatError {
  return e instanceof FormatError;
}

/** A short, single-line description of any thrown value, for diagnostics. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
