/**
 * An in-memory `FsView` for tests and for sources that are already in memory, plus a wrapper
 * that injects failures (EACCES, EBUSY, vanished) into any view: tests run as root, where
 * `chmod 000` does not stop reads, so permission errors are simulated here.
 */
import { Readable } from 'node:stream';
import { fail, type FsEntry, type FsErrorCode, type FsFile, type FsResult, type FsStat, type FsView } from './fs-view.js';

/** A tree literal: strings/bytes are files, objects are folders, `{ link }` a symlink. */
export type MemoryNode = string | Uint8Array | { link: string } | MemoryTree;
export interface MemoryTree {
  [name: string]: MemoryNode;
}

function isLink(n: MemoryNode): n is { link: string } {
  return typeof n === 'object' && !(n instanceof Uint8Array) && typeof (n as { link?: unknown }).link === 'string';
}

function isDir(n: MemoryNode): n is MemoryTree {
  return typeof n === 'object' && !(n instanceof Uint8Array) && !isLink(n);
}

function bytesOf(n: string | Uint8Array): Uint8Array {
  return typeof n === 'string' ? Buffer.from(n, 'utf8') : n;
}

const FIXED_TIME = '2024-01-02T03:04:05.000Z';

/** Builds a read-only view over a tree literal. Links are reported, never followed. */
export function memoryFsView(tree: MemoryTree, label = 'memory'): FsView {
  const find = (path: readonly string[]): MemoryNode | undefined => {
    let node: MemoryNode = tree;
    for (const seg of path) {
      if (!isDir(node) || !Object.hasOwn(node, seg)) return undefined;
      node = (node as MemoryTree)[seg] as MemoryNode;
    }
    return node;
  };
  const missing = (path: readonly string[]): FsResult<never> => fail('ENOENT', `vanished or not found: ${path.join('/')}`);
  return {
    label,
    readDir(path) {
      const n = find(path);
      if (n === undefined) return Promise.resolve(missing(path));
      if (!isDir(n)) return Promise.resolve(fail('ENOENT', `not a folder: ${path.join('/')}`));
      const out: FsEntry[] = Object.entries(n).map(([name, c]) => ({
        name,
        type: isLink(c) ? 'symlink' : isDir(c) ? 'dir' : 'file',
      }));
      return Promise.resolve({ ok: true, value: out });
    },
    lstat(path) {
      const n = find(path);
      if (n === undefined) return Promise.resolve(missing(path));
      const st: FsStat = isLink(n)
        ? { type: 'symlink', size: n.link.length }
        : isDir(n)
          ? { type: 'dir', size: 0 }
          : { type: 'file', size: bytesOf(n).byteLength, created: FIXED_TIME, modified: FIXED_TIME, accessed: FIXED_TIME, changed: FIXED_TIME };
      return Promise.resolve({ ok: true, value: st });
    },
    open(path) {
      const n = find(path);
      if (n === undefined) return Promise.resolve(missing(path));
      if (isLink(n)) return Promise.resolve(fail('OUTSIDE_ROOT', `link not followed: ${path.join('/')}`));
      if (isDir(n)) return Promise.resolve(fail('NOT_FILE', `not a regular file: ${path.join('/')}`));
      return Promise.resolve({ ok: true, value: bufferFile(bytesOf(n)) });
    },
  };
}

/** An `FsFile` over bytes in memory. */
export function bufferFile(bytes: Uint8Array): FsFile {
  return {
    size: bytes.byteLength,
    stream: () => Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]),
    read(offset, length) {
      const s = Math.max(0, Math.min(offset, bytes.byteLength));
      return Promise.resolve(bytes.subarray(s, Math.max(s, Math.min(s + length, bytes.byteLength))));
    },
    close: () => Promise.resolve(),
  };
}

/** Failures to inject, keyed by `/`-joined relative path. `open` fails; `readDir` too for folders. */
export type FaultTable = Readonly<Record<string, FsErrorCode>>;

/** Wraps a view so that the listed paths fail with the given code (tests; simulations). */
export function withFaults(view: FsView, faults: FaultTable): FsView {
  const hit = (path: readonly string[]): FsResult<never> | undefined => {
    const code = faults[path.join('/')];
    return code ? fail(code, `${code} (injected): ${path.join('/')}`) : undefined;
  };
  return {
    label: view.label,
    readDir: (p) => Promise.resolve(hit(p) ?? undefined).then((f) => f ?? view.readDir(p)),
    lstat: (p) => view.lstat(p),
    open: (p) => Promise.resolve(hit(p) ?? undefined).then((f) => f ?? view.open(p)),
  };
}
