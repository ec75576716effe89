/**
 * Walks the drives of a source, entering only folders that can hold a target (pruning by
 * the target list), never following links into folders, in a stable (sorted) order.
 */
import type { FsEntryType, FsView } from './fs-view.js';
import type { DriveRoot } from './source-layout.js';
import { matchTargets, shouldDescend, type Target } from './targets/index.js';
import { decodeVelociraptorName } from './win-path.js';

/** Bound on folder depth (cycles cannot happen without following links; this caps hostile trees). */
export const MAX_WALK_DEPTH = 64;

export interface FoundFile {
  drive: string;
  /** Decoded (original) names below the drive root. */
  segments: string[];
  /** Raw segments from the view's root (what `FsView.open` takes). */
  fsPath: string[];
  type: FsEntryType;
  target: Target;
}

export interface WalkSkip {
  path: string;
  reason: string;
  /** The folder exists but could not be listed (permission, I/O): its files are unknown, not absent. */
  unreadable?: boolean;
  /** A walk budget stopped here (depth): the coverage must say so. */
  budget?: boolean;
}

export interface WalkOptions {
  signal?: AbortSignal;
  onSkip?(skip: WalkSkip): void;
}

/** Yields every file (or link, or FIFO/device/socket: type `other`) under `drive` that some target takes. */
export async function* walkDrive(view: FsView, drive: DriveRoot, targets: readonly Target[], opts: WalkOptions = {}): AsyncGenerator<FoundFile> {
  const decode = (n: string): string => (drive.encoded ? decodeVelociraptorName(n) : n);
  // A target tied to a drive (a registry path) applies there only.
  targets = targets.filter((t) => t.drive === undefined || t.drive.toUpperCase() === drive.drive.toUpperCase());
  const stack: { raw: string[]; names: string[] }[] = [{ raw: [], names: [] }];
  while (stack.length > 0) {
    if (opts.signal?.aborted) return;
    const dir = stack.pop();
    if (!dir) break;
    const listing = await view.readDir([...drive.base, ...dir.raw]);
    const where = `${drive.drive}:\\${dir.names.join('\\')}`;
    if (!listing.ok) {
      opts.onSkip?.({ path: where, reason: listing.message, unreadable: listing.code !== 'ENOENT' });
      continue;
    }
    const entries = [...listing.value].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: { raw: string[]; names: string[] }[] = [];
    for (const e of entries) {
      const name = decode(e.name);
      const names = [...dir.names, name];
      if (e.type === 'dir') {
        if (names.length > MAX_WALK_DEPTH) {
          opts.onSkip?.({ path: `${where}\\${name}`, reason: `deeper than ${MAX_WALK_DEPTH} folders: not entered`, budget: true });
        } else if (shouldDescend(targets, names)) {
          subdirs.push({ raw: [...dir.raw, e.name], names });
        }
        continue;
      }
      const target = matchTargets(targets, names);
      if (!target) continue;
      yield { drive: drive.drive, segments: names, fsPath: [...drive.base, ...dir.raw, e.name], type: e.type, target };
    }
    // Reverse so that popping visits folders in sorted order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as { raw: string[]; names: string[] });
  }
}

/**
 * Finds the raw path of a Windows path's segments below a drive, matching names
 * case-insensitively (NTFS) and decoding Velociraptor names. Undefined when absent or when a
 * folder on the way cannot be listed (then `unreadable` is told why).
 */
export async function resolveSegments(view: FsView, drive: DriveRoot, segments: readonly string[], unreadable?: (reason: string) => void): Promise<string[] | undefined> {
  const decode = (n: string): string => (drive.encoded ? decodeVelociraptorName(n) : n);
  const raw: string[] = [];
  for (const seg of segments) {
    const r = await view.readDir([...drive.base, ...raw]);
    if (!r.ok) {
      // A folder that exists but cannot be listed says nothing about what it holds.
      if (r.code !== 'ENOENT') unreadable?.(r.message);
      return undefined;
    }
    const want = seg.toLowerCase();
    const hit = r.value.find((e) => e.name === seg) ?? r.value.find((e) => decode(e.name).toLowerCase() === want);
    if (!hit) return undefined;
    raw.push(hit.name);
  }
  return [...drive.base, ...raw];
}
