import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FormatError } from '../parsers/common/errors.js';
import { parseTrustAnchors, type TrustAnchor } from '../detection/esp/index.js';
import { readAssetText } from './assets.js';
import { UsageError } from './exit-codes.js';

/** The shipped Microsoft code-signing roots (data, not code). */
export const MICROSOFT_ROOTS_ASSET = 'rules/trust/microsoft-roots.pem';
/** A `--trust` PEM file larger than this is refused by name. */
export const MAX_TRUST_FILE_BYTES = 4 * 1024 * 1024;

/** The Authenticode trust anchors: espy's Microsoft roots plus each `--trust FILE` (PEM). */
export async function loadTrustAnchors(paths: readonly string[], cwd: string): Promise<TrustAnchor[]> {
  const out = parseTrustAnchors(readAssetText(MICROSOFT_ROOTS_ASSET), MICROSOFT_ROOTS_ASSET, true);
  for (const given of paths) {
    const p = resolve(cwd, given);
    let text: string;
    try {
      const buf = await readFile(p);
      if (buf.byteLength > MAX_TRUST_FILE_BYTES) throw new UsageError(`--trust ${given}: file too large (${buf.byteLength} bytes > ${MAX_TRUST_FILE_BYTES})`);
      text = buf.toString('latin1');
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`--trust ${given}: cannot read: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      out.push(...parseTrustAnchors(text, given, false));
    } catch (e) {
      if (e instanceof FormatError) throw new UsageError(`--trust ${e.message}`);
      throw e;
    }
  }
  return out;
}

/** The repeatable `--trust FILE` option's collector. */
export const collectTrust = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];
