import { ByteReader } from '../common/byte-reader.js';
import { FormatError, LimitExceededError } from '../common/errors.js';
import { MAX_RESOURCE_DEPTH, MAX_RESOURCE_ENTRIES } from './limits.js';
import type { RvaMapper } from './rva.js';

/** IMAGE_RESOURCE_DIRECTORY (PE Format §"The .rsrc Section"), 16 bytes + entries. */
export const RESOURCE_DIRECTORY = {
  size: 16,
  numberOfNamedEntries: 12, // 2
  numberOfIdEntries: 14, // 2
  entrySize: 8, // IMAGE_RESOURCE_DIRECTORY_ENTRY: Name/Id (4), OffsetToData (4); high bits flag string / subdirectory
} as const;

/** IMAGE_RESOURCE_DATA_ENTRY, 16 bytes. */
export const RESOURCE_DATA_ENTRY = {
  size: 16,
  offsetToData: 0, // 4, RVA
  size_: 4, // 4
} as const;

export interface ResourceData {
  /** Resource ids along the path (type, name, language); -1 for a named entry. */
  path: number[];
  /** File offset and size of the data. */
  offset: number;
  size: number;
}

/**
 *   root dir ──► type entries ──► name dirs ──► language dirs ──► IMAGE_RESOURCE_DATA_ENTRY
 *
 * Finds the data entries under resource type `typeId` (depth-first, first hits first), at most
 * `max`. Offsets are relative to the resource section start; every directory is visited once
 * (a `visited` set stops cycles of any length) and depth and entry counts are capped.
 */
export function findResources(bytes: Uint8Array, dirRva: number, map: RvaMapper, typeId: number, max: number): ResourceData[] {
  const r = new ByteReader(bytes, 0, 'pe');
  const root = map.toOffset(dirRva, 'resources.root');
  const visited = new Set<number>();
  const out: ResourceData[] = [];
  let entries = 0;
  const walk = (rel: number, depth: number, path: number[]): void => {
    if (out.length >= max) return;
    if (depth > MAX_RESOURCE_DEPTH) throw new LimitExceededError('pe', 'MAX_RESOURCE_DEPTH', depth, MAX_RESOURCE_DEPTH, root + rel);
    if (visited.has(rel)) throw new FormatError({ code: 'CYCLE', format: 'pe', offset: root + rel, what: 'resources.directory' });
    visited.add(rel);
    const at = root + rel;
    r.need(RESOURCE_DIRECTORY.size, 'resources.directory', at);
    const n = r.u16At(at + RESOURCE_DIRECTORY.numberOfNamedEntries, 'resources.NumberOfNamedEntries') + r.u16At(at + RESOURCE_DIRECTORY.numberOfIdEntries, 'resources.NumberOfIdEntries');
    for (let i = 0; i < n && out.length < max; i++) {
      if (++entries > MAX_RESOURCE_ENTRIES) throw new LimitExceededError('pe', 'MAX_RESOURCE_ENTRIES', entries, MAX_RESOURCE_ENTRIES, at);
      const e = at + RESOURCE_DIRECTORY.size + i * RESOURCE_DIRECTORY.entrySize;
      const name = r.u32At(e, 'resources.entry.Name');
      const data = r.u32At(e + 4, 'resources.entry.OffsetToData');
      const id = name & 0x80000000 ? -1 : name & 0xffff;
      if (depth === 0 && id !== typeId) continue;
      if (data & 0x80000000) {
        walk(data & 0x7fffffff, depth + 1, [...path, id]);
      } else {
        const de = root + data;
        r.need(RESOURCE_DATA_ENTRY.size, 'resources.data_entry', de);
        const rva = r.u32At(de + RESOURCE_DATA_ENTRY.offsetToData, 'resources.data.OffsetToData');
        const size = r.u32At(de + RESOURCE_DATA_ENTRY.size_, 'resources.data.Size');
        out.push({ path: [...path, id], offset: map.toOffset(rva, 'resources.data'), size });
      }
    }
  };
  walk(0, 0, []);
  return out;
}
