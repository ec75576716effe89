/**
 * What a `--source` folder is: a folder laid out like a system drive (a mounted image, the
 * sample hosts), a KAPE target collection (`C/Windows/...`, maybe below one more folder), or
 * a Velociraptor offline collection (`uploads/auto/C%3A/...`, `uploads/ntfs/%5C%5C.%5CC%3A/...`).
 * The result maps each drive letter to the folder that holds it.
 */
import type { FsView } from './fs-view.js';
import { decodeVelociraptorName, parseWindowsPath } from './win-path.js';

export type LayoutKind = 'drive-folder' | 'kape' | 'velociraptor';

export interface DriveRoot {
  drive: string;
  /** Raw segments from the view's root to this drive's root folder. */
  base: string[];
  /** Names below are Velociraptor-encoded (`%3A`) and must be decoded. */
  encoded: boolean;
}

export interface SourceLayout {
  kind: LayoutKind;
  drives: DriveRoot[];
  notes: string[];
}

/** Top-level names that mark the root of a Windows system drive. */
const DRIVE_MARKERS = ['windows', 'program files', 'program files (x86)', 'programdata', 'users', '$recycle.bin', 'perflogs'];
const MAX_PROBE_CHILDREN = 64;

async function dirNames(view: FsView, path: string[]): Promise<string[]> {
  const r = await view.readDir(path);
  return r.ok ? r.value.filter((e) => e.type === 'dir').map((e) => e.name) : [];
}

async function velociraptorDrives(view: FsView, uploads: string[]): Promise<DriveRoot[]> {
  const drives: DriveRoot[] = [];
  for (const accessor of await dirNames(view, uploads)) {
    for (const dev of await dirNames(view, [...uploads, accessor])) {
      // `C%3A` (auto/file accessor) or `%5C%5C.%5CC%3A` (ntfs accessor: \\.\C:).
      const w = parseWindowsPath(decodeVelociraptorName(dev));
      if (w && w.segments.length === 0 && !drives.some((d) => d.drive === w.drive)) {
        drives.push({ drive: w.drive, base: [...uploads, accessor, dev], encoded: true });
      }
    }
  }
  return drives;
}

function letterDirs(names: string[], base: string[]): DriveRoot[] {
  return names.filter((n) => /^[A-Za-z]$/.test(n)).map((n) => ({ drive: n.toUpperCase(), base: [...base, n], encoded: false }));
}

function looksLikeDrive(names: string[]): boolean {
  return names.some((n) => DRIVE_MARKERS.includes(n.toLowerCase()));
}

/** Detects the layout of the folder (or zip) behind `view`. Never throws. */
export async function detectLayout(view: FsView): Promise<SourceLayout> {
  const top = await dirNames(view, []);
  const find = (names: string[], n: string): string | undefined => names.find((x) => x.toLowerCase() === n);

  const up = find(top, 'uploads');
  if (up) {
    const drives = await velociraptorDrives(view, [up]);
    if (drives.length > 0) return { kind: 'velociraptor', drives, notes: [] };
  }
  if (looksLikeDrive(top)) return { kind: 'drive-folder', drives: [{ drive: 'C', base: [], encoded: false }], notes: [] };
  const letters = letterDirs(top, []);
  if (letters.length > 0) return { kind: 'kape', drives: letters, notes: [] };

  // One level down: KAPE's `<tdest>/<name>/C`, a Velociraptor zip extracted into a folder.
  for (const child of top.slice(0, MAX_PROBE_CHILDREN)) {
    const names = await dirNames(view, [child]);
    const up2 = find(names, 'uploads');
    if (up2) {
      const drives = await velociraptorDrives(view, [child, up2]);
      if (drives.length > 0) return { kind: 'velociraptor', drives, notes: [] };
    }
    const l2 = letterDirs(names, [child]);
    if (l2.length > 0) return { kind: 'kape', drives: l2, notes: [] };
  }
  return {
    kind: 'drive-folder',
    drives: [{ drive: 'C', base: [], encoded: false }],
    notes: ['layout not recognised (no Windows, Program Files, Users, C/ or uploads/ folder): read as the root of drive C:'],
  };
}
