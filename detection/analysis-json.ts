/**
 * The one home of `analysis.json`'s text: an `AnalysisResult` as string pieces whose
 * concatenation is exactly `${JSON.stringify(result, null, 2)}\n`. A million logins make a
 * text of hundreds of MB; built as one string it needs several times that in memory, while
 * these pieces can be written one block at a time with the rest of the text never built.
 */
import type { AnalysisResult } from './analysis-result.js';

/** Pieces are gathered into blocks of about this many characters before they are yielded. */
export const ANALYSIS_JSON_BLOCK_CHARS = 256 * 1024;

/** Nesting levels walked piece by piece; deeper values are stringified whole (each is small). */
const STREAMED_DEPTH = 2;

const INDENT = '  ';

/** Items of a large array stringified in one call. */
const ARRAY_BATCH = 512;

/** What `JSON.stringify` leaves out of an object and writes as `null` in an array. */
function isSkipped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** One small value, as `JSON.stringify(v, null, 2)` would write it at this indentation. */
function whole(v: unknown, indent: string): string {
  const text = JSON.stringify(v, null, 2) ?? 'null';
  // Strings in JSON text never hold a raw line feed, so every one is a layout line break.
  return indent === '' ? text : text.replaceAll('\n', `\n${indent}`);
}

/**
 * The items of an array whose items are stringified whole, `ARRAY_BATCH` at a time: one
 * `JSON.stringify` of a slice, its brackets cut off and its lines moved to this indentation
 * (a million logins are two thousand calls, not a million).
 */
function* batches(v: readonly unknown[], indent: string): Generator<string> {
  for (let i = 0; i < v.length; i += ARRAY_BATCH) {
    // `[\n` + items + `\n]`: the items sit one level in, as they must inside this array.
    const text = JSON.stringify(v.slice(i, i + ARRAY_BATCH), null, 2);
    const items = text.slice(2, -2);
    yield `${i === 0 ? '' : ','}\n${indent}${indent === '' ? items : items.replaceAll('\n', `\n${indent}`)}`;
  }
}

function* walk(v: unknown, indent: string, depth: number): Generator<string> {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    yield whole(v, indent);
    return;
  }
  if (depth >= STREAMED_DEPTH || v === null || typeof v !== 'object') {
    yield whole(v, indent);
    return;
  }
  const inner = indent + INDENT;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      yield '[]';
      return;
    }
    if (depth + 1 >= STREAMED_DEPTH) {
      yield '[';
      yield* batches(v, indent);
      yield `\n${indent}]`;
      return;
    }
    yield '[';
    for (let i = 0; i < v.length; i++) {
      yield `${i === 0 ? '' : ','}\n${inner}`;
      const item: unknown = v[i];
      if (isSkipped(item)) yield 'null';
      else yield* walk(item, inner, depth + 1);
    }
    yield `\n${indent}]`;
    return;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => !isSkipped(x));
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  yield '{';
  let first = true;
  for (const [key, x] of entries) {
    yield `${first ? '' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* walk(x, inner, depth + 1);
  }
  yield `\n${indent}}`;
}

/**
 * `analysis.json` of `result` in pieces of about `ANALYSIS_JSON_BLOCK_CHARS` characters (one
 * large value may make a larger piece). Their concatenation is byte-identical to
 * `${JSON.stringify(result, null, 2)}\n`.
 */
export function* analysisJsonPieces(result: AnalysisResult, blockChars = ANALYSIS_JSON_BLOCK_CHARS): Generator<string> {
  let block = '';
  for (const piece of walk(result, '', 0)) {
    block += piece;
    if (block.length >= blockChars) {
      yield block;
      block = '';
    }
  }
  yield `${block}\n`;
}
