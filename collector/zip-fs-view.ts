/**
 * A read-only `FsView` over a zip (a Velociraptor offline collection `.zip`). Folders are
 * derived from entry names; refused (unsafe) names are never visible.
 */
import { PassThrough } from 'node:stream';
import { fail, type FsEntry, type FsFile, type FsStat, type FsView } from './fs-view.js';
import type { ZipEntryInfo, ZipEntrySource, ZipIndex } from './zip-reader.js';

interface Dir {
  dirs: Map<string, Dir>;
  files: Map<string, ZipEntryInfo>;
}

function newDir(): Dir {
  return { dirs: new Map(), files: new Map() };
}

export function zipFsView(zip: ZipIndex): FsView {
  const root = newDir();
  for (const e of zip.entries) {
    const segs = e.name.split('/').filter((s) => s !== '' && s !== '.');
    let d = root;
    const last = e.isDir ? segs.length : segs.length - 1;
    for (let i = 0; i < last; i++) {
      const s = segs[i] as string;
      let next = d.dirs.get(s);
      if (!next) d.dirs.set(s, (next = newDir()));
      d = next;
    }
    if (!e.isDir && segs.length > 0) d.files.set(segs[segs.length - 1] as string, e);
  }
  const findDir = (path: readonly string[]): Dir | undefined => {
    let d: Dir | undefined = root;
    for (const s of path) d = d?.dirs.get(s);
    return d;
  };
  const findFile = (path: readonly string[]): ZipEntryInfo | undefined => (path.length === 0 ? undefined : findDir(path.slice(0, -1))?.files.get(path[path.length - 1] as string));
  return {
    label: zip.path,
    readDir(path) {
      const d = findDir(path);
      if (!d) return Promise.resolve(fail('ENOENT', `not found in zip: ${path.join('/')}`));
      const out: FsEntry[] = [...[...d.dirs.keys()].map((name) => ({ name, type: 'dir' as const })), ...[...d.files.keys()].map((name) => ({ name, type: 'file' as const }))];
      return Promise.resolve({ ok: true, value: out });
    },
    lstat(path) {
      const f = findFile(path);
      if (f) {
        const st: FsStat = { type: 'file', size: f.size, modified: f.modified };
        return Promise.resolve({ ok: true, value: st });
      }
      if (findDir(path)) return Promise.resolve({ ok: true, value: { type: 'dir', size: 0 } });
      return Promise.resolve(fail('ENOENT', `not found in zip: ${path.join('/')}`));
    },
    open(path) {
      const f = findFile(path);
      if (!f) return Promise.resolve(fail('ENOENT', `not found in zip: ${path.join('/')}`));
      if (f.encrypted) return Promise.resolve(fail('EACCES', `encrypted zip entry: ${f.name}`));
      let source: ZipEntrySource | undefined;
      const file: FsFile = {
        size: f.size,
        stream() {
          const out = new PassThrough({ highWaterMark: 1 << 20 });
          zip.openStream(f).then(
            (s) => {
              s.on('error', (e) => out.destroy(e));
              out.on('close', () => s.destroy());
              s.pipe(out);
            },
            (e: Error) => out.destroy(e),
          );
          return out;
        },
        read(offset, length) {
          source ??= zip.openSource(f);
          return source.read(offset, length);
        },
        close: () => source?.close() ?? Promise.resolve(),
      };
      return Promise.resolve({ ok: true, value: file });
    },
  };
}
