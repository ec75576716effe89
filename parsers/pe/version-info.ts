import { ByteReader, decodeUtf16le } from '../common/byte-reader.js';
import { FormatError, LimitExceededError } from '../common/errors.js';
import { MAX_VERSION_DEPTH, MAX_VERSION_NODES } from './limits.js';
import type { PeVersionInfo } from './types.js';

/** VS_FIXEDFILEINFO (verrsrc.h), 52 bytes, signature 0xFEEF04BD. */
export const FIXED_FILE_INFO = {
  size: 52,
  signature: 0, // 4
  fileVersionMS: 8, // 4
  fileVersionLS: 12, // 4
  productVersionMS: 16, // 4
  productVersionLS: 20, // 4
} as const;
const FIXED_SIGNATURE = 0xfeef04bd;

/**
 * One node of the version resource tree (VS_VERSIONINFO, StringFileInfo, StringTable,
 * String, VarFileInfo, Var all share this header):
 *   wLength u16 | wValueLength u16 | wType u16 | szKey UTF-16 NUL | pad to 4 | Value | pad to 4 | Children
 */
interface Node {
  key: string;
  /** Offset (in `bytes`) and byte length of the value. */
  valueAt: number;
  valueBytes: number;
  type: number;
  children: Node[];
}

const align4 = (n: number): number => (n + 3) & ~3;

function readNode(r: ByteReader, at: number, end: number, depth: number, budget: { nodes: number }): Node {
  if (depth > MAX_VERSION_DEPTH) throw new LimitExceededError('pe', 'MAX_VERSION_DEPTH', depth, MAX_VERSION_DEPTH, r.baseOffset + at);
  if (++budget.nodes > MAX_VERSION_NODES) throw new LimitExceededError('pe', 'MAX_VERSION_NODES', budget.nodes, MAX_VERSION_NODES, r.baseOffset + at);
  const length = r.u16At(at, 'version.wLength');
  const valueLength = r.u16At(at + 2, 'version.wValueLength');
  const type = r.u16At(at + 4, 'version.wType');
  if (length < 6) throw new FormatError({ code: 'INVALID', format: 'pe', offset: r.baseOffset + at, what: 'version.wLength', message: `pe: version node length ${length} < 6` });
  const nodeEnd = Math.min(at + length, end);
  // szKey: UTF-16 up to NUL, within the node.
  let p = at + 6;
  while (p + 1 < nodeEnd && (r.bytes[p] !== 0 || r.bytes[p + 1] !== 0)) p += 2;
  const key = decodeUtf16le(r.bytes.subarray(at + 6, p));
  p = align4(p + 2);
  // wValueLength counts WORDs for text values (wType 1), bytes for binary ones.
  const valueBytes = Math.max(0, Math.min(type === 1 ? valueLength * 2 : valueLength, nodeEnd - p));
  const valueAt = p;
  p = align4(p + valueBytes);
  const children: Node[] = [];
  while (p + 6 <= nodeEnd) {
    const child = readNode(r, p, nodeEnd, depth + 1, budget);
    children.push(child);
    const childLen = r.u16At(p, 'version.wLength');
    const next = align4(p + childLen);
    if (next <= p) break; // no progress
    p = next;
  }
  return { key, valueAt, valueBytes, type, children };
}

const version = (ms: number, ls: number): string => `${ms >>> 16}.${ms & 0xffff}.${ls >>> 16}.${ls & 0xffff}`;

/** Parses a VS_VERSIONINFO resource (bytes of the resource, `baseOffset` = its file offset). */
export function parseVersionInfo(bytes: Uint8Array, baseOffset: number): PeVersionInfo {
  const r = new ByteReader(bytes, baseOffset, 'pe');
  const root = readNode(r, 0, bytes.byteLength, 0, { nodes: 0 });
  if (root.key !== 'VS_VERSION_INFO') {
    throw new FormatError({ code: 'BAD_MAGIC', format: 'pe', offset: baseOffset, what: 'version.szKey', message: `pe: version resource key '${root.key.slice(0, 40)}'` });
  }
  let fileVersion: string | null = null;
  let productVersion: string | null = null;
  if (root.valueBytes >= FIXED_FILE_INFO.size && r.u32At(root.valueAt, 'VS_FIXEDFILEINFO.dwSignature') === FIXED_SIGNATURE) {
    const v = root.valueAt;
    fileVersion = version(r.u32At(v + FIXED_FILE_INFO.fileVersionMS, 'dwFileVersionMS'), r.u32At(v + FIXED_FILE_INFO.fileVersionLS, 'dwFileVersionLS'));
    productVersion = version(r.u32At(v + FIXED_FILE_INFO.productVersionMS, 'dwProductVersionMS'), r.u32At(v + FIXED_FILE_INFO.productVersionLS, 'dwProductVersionLS'));
  }
  const found = new Map<string, string>();
  for (const sfi of root.children) {
    if (sfi.key !== 'StringFileInfo') continue;
    for (const table of sfi.children) {
      for (const s of table.children) {
        if (found.has(s.key)) continue;
        const raw = decodeUtf16le(bytes.subarray(s.valueAt, s.valueAt + s.valueBytes));
        const nul = raw.indexOf('\u0000');
        found.set(s.key, nul < 0 ? raw : raw.slice(0, nul));
      }
    }
  }
  const strings = Object.fromEntries(found) as Record<string, string>;
  const get = (k: string): string | null => found.get(k) ?? null;
  return {
    fileVersion,
    productVersion,
    strings,
    companyName: get('CompanyName'),
    fileDescription: get('FileDescription'),
    originalFilename: get('OriginalFilename'),
    productName: get('ProductName'),
    fileVersionString: get('FileVersion'),
  };
}
