/**
 * Phase one for an ERRORLOG of any size: the DLL names and the server name, read in chunks of
 * whole lines (a 200 MB log never sits in memory whole, the work is linear in its size).
 */
import { SNIFF_BYTES, sniffEncoding } from '../parsers/common/text.js';
import { dllRefsFromErrorlog, type DllRef } from './dll-refs.js';
import type { FsFile } from './fs-view.js';

/** Bytes read per step. */
export const ERRORLOG_CHUNK_BYTES = 8 * 1024 * 1024;

const SERVER_NAME = /Server name is '([^'\\\r\n]+)/;

export interface ErrorlogScan {
  refs: DllRef[];
  serverName?: string;
}

export async function scanErrorlog(file: FsFile, label: string, signal?: AbortSignal, chunkBytes = ERRORLOG_CHUNK_BYTES): Promise<ErrorlogScan> {
  const out: ErrorlogScan = { refs: [] };
  const { encoding, bomBytes } = sniffEncoding(await file.read(0, SNIFF_BYTES));
  // Its own decoder: `stream` keeps a character cut at a chunk's end for the next chunk.
  const decoder = new TextDecoder(encoding);
  let offset = bomBytes;
  let carry = '';
  let line = 1;
  const take = (text: string): void => {
    for (const r of dllRefsFromErrorlog(text, label, line)) out.refs.push(r);
    if (out.serverName === undefined) {
      const m = SERVER_NAME.exec(text);
      if (m?.[1]) out.serverName = m[1];
    }
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) line++;
  };
  while (offset < file.size) {
    if (signal?.aborted) return out;
    const bytes = await file.read(offset, Math.min(chunkBytes, file.size - offset));
    if (bytes.length === 0) break; // the file shrank
    offset += bytes.length;
    const text = carry + decoder.decode(bytes, { stream: true });
    const cut = text.lastIndexOf('\n');
    if (cut === -1) {
      carry = text;
      continue;
    }
    take(text.slice(0, cut + 1));
    carry = text.slice(cut + 1);
  }
  take(carry + decoder.decode());
  return out;
}
