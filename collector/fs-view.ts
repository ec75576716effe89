/**
 * The collector's one door to a file system (the Velociraptor accessor idea): a
 * narrow, read-only `FsView { readDir, lstat, open }` over a root folder. Paths are arrays of
 * name segments relative to the root, so no caller ever builds a path string that could
 * climb out. Failures (permission, vanished file, link out of the root) are values, never
 * exceptions, so one bad file never stops a collection.
 */
import { constants as FS, type Stats } from 'node:fs';
import { lstat, open, readdir, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';

export type FsErrorCode = 'EACCES' | 'EPERM' | 'ENOENT' | 'EBUSY' | 'ELOOP' | 'OUTSIDE_ROOT' | 'BAD_NAME' | 'NOT_FILE' | 'EIO';

export interface FsFailure {
  ok: false;
  code: FsErrorCode;
  message: string;
}
export type FsResult<T> = { ok: true; value: T } | FsFailure;

export type FsEntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface FsEntry {
  name: string;
  type: FsEntryType;
}

/** `lstat` facts with MACB times as ISO-8601 UTC (absent when the file system has none). */
export interface FsStat {
  type: FsEntryType;
  size: number;
  created?: string;
  modified?: string;
  accessed?: string;
  changed?: string;
}

/** An open, read-only file. `stream()` reads it once from the start. */
export interface FsFile {
  readonly size: number;
  stream(): Readable;
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface FsView {
  /** What this view reads, for messages (a folder, a zip). */
  readonly label: string;
  readDir(path: readonly string[]): Promise<FsResult<FsEntry[]>>;
  lstat(path: readonly string[]): Promise<FsResult<FsStat>>;
  open(path: readonly string[]): Promise<FsResult<FsFile>>;
}

/** Read chunk for streaming copies (large blocks: fewer system calls per byte copied). */
export const READ_CHUNK_BYTES = 1 << 20;

export function fail(code: FsErrorCode, message: string): FsFailure {
  return { ok: false, code, message };
}

/** Maps a node error to a value. Unknown codes become EIO with the original text. */
export function fsFailure(e: unknown, what: string): FsFailure {
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? '';
  const msg = e instanceof Error ? e.message : String(e);
  switch (code) {
    case 'EACCES':
      return fail('EACCES', `permission denied: ${what}`);
    case 'EPERM':
      return fail('EPERM', `operation not permitted: ${what}`);
    case 'ENOENT':
    case 'ENOTDIR':
      return fail('ENOENT', `vanished or not found: ${what}`);
    case 'EBUSY':
      return fail('EBUSY', `locked by another process: ${what}`);
    case 'ELOOP':
      return fail('ELOOP', `too many links: ${what}`);
    default:
      return fail('EIO', `${code || 'error'}: ${what}: ${msg}`);
  }
}

/** A name segment is one plain name: no separators, no `.`/`..`, no NUL. */
export function isSafeSegment(s: string): boolean {
  return s !== '' && s !== '.' && s !== '..' && !s.includes('/') && !s.includes('\0') && !(sep === '\\' && s.includes('\\'));
}

export function entryType(st: Pick<Stats, 'isFile' | 'isDirectory' | 'isSymbolicLink'>): FsEntryType {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  return 'other';
}

function iso(ms: number): string | undefined {
  // Linux file systems without birth time report 0; treat as unknown rather than 1970.
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return new Date(ms).toISOString();
}

export function statFacts(st: Stats): FsStat {
  const out: FsStat = { type: entryType(st), size: st.size };
  const c = iso(st.birthtimeMs);
  const m = iso(st.mtimeMs);
  const a = iso(st.atimeMs);
  const ch = iso(st.ctimeMs);
  if (c) out.created = c;
  if (m) out.modified = m;
  if (a) out.accessed = a;
  if (ch) out.changed = ch;
  return out;
}

/** Windows needs the `\\?\` prefix past MAX_PATH (260); elsewhere the path is used as is. */
export function longPath(p: string, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'win32' || p.length < 248 || p.startsWith('\\\\?\\')) return p;
  if (p.startsWith('\\\\')) return `\\\\?\\UNC\\${p.slice(2)}`;
  return `\\\\?\\${p}`;
}

function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function fileFromHandle(h: FileHandle, size: number): FsFile {
  return {
    size,
    stream: () => h.createReadStream({ start: 0, autoClose: false, highWaterMark: READ_CHUNK_BYTES }),
    async read(offset, length) {
      const start = Math.max(0, Math.min(offset, size));
      const n = Math.max(0, Math.min(length, size - start));
      const buf = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await h.read(buf, got, n - got, start + got);
        if (bytesRead === 0) break; // file shrank: return what exists
        got += bytesRead;
      }
      return buf.subarray(0, got);
    },
    close: () => h.close(),
  };
}

/**
 * The production view over a real folder: opens with `O_RDONLY` only (plus `O_NOFOLLOW`
 * where the platform has it), resolves links with realpath and refuses any target outside
 * the root (symlinks and NTFS junctions both show as links to `lstat`).
 */
export async function nodeFsView(rootDir: string): Promise<FsView> {
  const root = resolve(rootDir);
  const realRoot = await realpath(root);
  const full = (path: readonly string[]): string | undefined => (path.every(isSafeSegment) ? longPath(join(root, ...path)) : undefined);

  async function inRoot(p: string, what: string): Promise<FsResult<string>> {
    try {
      const real = await realpath(p);
      if (!isInside(realRoot, real)) return fail('OUTSIDE_ROOT', `link points outside the source, not followed: ${what}`);
      return { ok: true, value: real };
    } catch (e) {
      return fsFailure(e, what);
    }
  }

  return {
    label: root,
    async readDir(path) {
      const p = full(path);
      const what = path.join('/') || '.';
      if (!p) return fail('BAD_NAME', `bad path segment: ${what}`);
      try {
        const ents = await readdir(p, { withFileTypes: true });
        return { ok: true, value: ents.map((d) => ({ name: d.name, type: entryType(d) })) };
      } catch (e) {
        return fsFailure(e, what);
      }
    },
    async lstat(path) {
      const p = full(path);
      const what = path.join('/') || '.';
      if (!p) return fail('BAD_NAME', `bad path segment: ${what}`);
      try {
        return { ok: true, value: statFacts(await lstat(p)) };
      } catch (e) {
        return fsFailure(e, what);
      }
    },
    async open(path) {
      const p = full(path);
      const what = path.join('/');
      if (!p) return fail('BAD_NAME', `bad path segment: ${what}`);
      const real = await inRoot(p, what);
      if (!real.ok) return real;
      let h: FileHandle | undefined;
      try {
        // Only regular files are opened: opening a FIFO blocks until a writer appears.
        if (!(await lstat(real.value)).isFile()) return fail('NOT_FILE', `not a regular file: ${what}`);
        const noFollow = typeof FS.O_NOFOLLOW === 'number' ? FS.O_NOFOLLOW : 0;
        h = await open(longPath(real.value), FS.O_RDONLY | noFollow);
        const st = await h.stat();
        if (!st.isFile()) {
          await h.close();
          return fail('NOT_FILE', `not a regular file: ${what}`);
        }
        return { ok: true, value: fileFromHandle(h, st.size) };
      } catch (e) {
        await h?.close().catch(() => undefined);
        return fsFailure(e, what);
      }
    },
  };
}
