/**
 * Reads an espy bundle, zipped or extracted, as untrusted input: the manifest through its
 * schema, entries by name. Unsafe zip names (`../`, absolute) are refused and reported;
 * nothing is written anywhere.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { finished, type Readable } from 'node:stream';
import type { ByteSource } from '../parsers/common/byte-source.js';
import { nodeFsView, type FsView } from './fs-view.js';
import { parseManifest, type Manifest } from './manifest.js';
import { MAX_ZIP_ENTRIES, openZip, type OpenZipOptions, type ZipEntryInfo, type ZipIndex } from './zip-reader.js';

/** manifest.json larger than this is refused (a hostile bundle): espy writes about 500 bytes per file. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

export interface BundleEntry {
  name: string;
  size: number;
  encrypted: boolean;
}

export interface BundleReader {
  kind: 'zip' | 'folder';
  path: string;
  /** Undefined when manifest.json is missing or invalid (`manifestError` says why). */
  manifest?: Manifest;
  manifestError?: string;
  /** Entries (files) by name, `/`-separated. */
  entries: Map<string, BundleEntry>;
  refused: { name: string; reason: string }[];
  stream(name: string): Promise<Readable>;
  readBytes(name: string, cap: number): Promise<Uint8Array>;
  /** Random reads of one entry without holding it whole (a zip entry inflates as read); the caller closes it. */
  source(name: string): Promise<ByteSource & { close(): Promise<void> }>;
  close(): Promise<void>;
}

/** `a/b/x.dll` → `a/b/x (duplicate 2).dll`: the extension stays, so the kind does. */
export function duplicateName(name: string, k: number): string {
  const m = /^(.*\/)?([^/]*?)(\.[^./]*)?$/.exec(name);
  return `${m?.[1] ?? ''}${m?.[2] ?? name} (duplicate ${k})${m?.[3] ?? ''}`;
}

/** Folders below this depth in an extracted bundle are not listed (espy writes a few levels plus the host's paths). */
export const MAX_FOLDER_DEPTH = 64;

/** The files of an extracted bundle, at most MAX_ZIP_ENTRIES; what a limit left out is one refused row each. */
async function folderEntries(view: FsView): Promise<{ entries: Map<string, BundleEntry>; refused: { name: string; reason: string }[] }> {
  const out = new Map<string, BundleEntry>();
  const refused: { name: string; reason: string }[] = [];
  const stack: string[][] = [[]];
  let tooDeep = 0;
  while (stack.length > 0) {
    const dir = stack.pop() as string[];
    const r = await view.readDir(dir);
    if (!r.ok) continue;
    for (const e of r.value) {
      if (e.type === 'dir') {
        if (dir.length < MAX_FOLDER_DEPTH) stack.push([...dir, e.name]);
        else tooDeep++;
      } else if (e.type === 'file') {
        if (out.size >= MAX_ZIP_ENTRIES) {
          refused.push({ name: '(files past the limit)', reason: `more than ${MAX_ZIP_ENTRIES} files: the rest of the folder is not read` });
          return { entries: out, refused };
        }
        const st = await view.lstat([...dir, e.name]);
        out.set([...dir, e.name].join('/'), { name: [...dir, e.name].join('/'), size: st.ok ? st.value.size : 0, encrypted: false });
      }
    }
  }
  if (tooDeep > 0) refused.push({ name: `(${tooDeep} folders not read)`, reason: `deeper than ${MAX_FOLDER_DEPTH} levels` });
  return { entries: out, refused };
}

export async function openBundle(path: string, opts: OpenZipOptions = {}): Promise<BundleReader> {
  const abs = resolve(path);
  const st = await stat(abs);
  let reader: BundleReader;
  if (st.isDirectory()) {
    const view = await nodeFsView(abs);
    const { entries, refused } = await folderEntries(view);
    const open = async (name: string) => {
      const r = await view.open(name.split('/'));
      if (!r.ok) throw new Error(r.message);
      return r.value;
    };
    reader = {
      kind: 'folder',
      path: abs,
      entries,
      refused,
      async stream(name) {
        const f = await open(name);
        const s = f.stream();
        // The view's stream leaves its file open: close it once the stream is done with.
        finished(s, () => void f.close().catch(() => undefined));
        return s;
      },
      async readBytes(name, cap) {
        const f = await open(name);
        try {
          if (f.size > cap) throw new Error(`${name} is larger than ${cap} bytes`);
          return await f.read(0, f.size);
        } finally {
          await f.close();
        }
      },
      async source(name) {
        const f = await open(name);
        return { size: f.size, read: (o, n) => f.read(o, n), close: () => f.close() };
      },
      close: () => Promise.resolve(),
    };
  } else {
    const zip: ZipIndex = await openZip(abs, opts);
    const byName = new Map<string, ZipEntryInfo>();
    const taken = new Set<string>();
    for (const e of zip.entries) {
      if (e.isDir) continue;
      // A zip may hold two entries of one name (or of names that differ only in case, one
      // file on Windows); tools then disagree on which one is "the" file. Both are kept, the
      // later one renamed, so each is read and checked.
      let name = e.name;
      for (let k = 2; taken.has(name.toLowerCase()); k++) name = duplicateName(e.name, k);
      taken.add(name.toLowerCase());
      byName.set(name, e);
    }
    const get = (name: string): ZipEntryInfo => {
      const e = byName.get(name);
      if (!e) throw new Error(`no entry ${name} in the bundle`);
      return e;
    };
    reader = {
      kind: 'zip',
      path: abs,
      entries: new Map([...byName].map(([n, e]) => [n, { name: n, size: e.size, encrypted: e.encrypted }])),
      refused: zip.refused,
      stream: (name) => zip.openStream(get(name)),
      readBytes: (name, cap) => zip.readBytes(get(name), cap),
      source: (name) => Promise.resolve(zip.openSource(get(name))),
      close: () => Promise.resolve(zip.close()),
    };
  }
  if (!reader.entries.has('manifest.json')) {
    reader.manifestError = 'manifest.json is missing';
  } else {
    try {
      const bytes = await reader.readBytes('manifest.json', MAX_MANIFEST_BYTES);
      reader.manifest = parseManifest(new TextDecoder('utf-8').decode(bytes));
    } catch (e) {
      reader.manifestError = (e as Error).message;
    }
  }
  return reader;
}
