/**
 * Named DLLs to files: a full path is looked up on its own drive, a bare name in the Binn
 * folder of every SQL Server instance of the source. A name that resolves to nothing is a
 * `missing` item (evidence of a deletion), unless a folder on its way could not be read
 * (then nobody knows).
 */
import type { DllRef } from '../dll-refs.js';
import type { FsView } from '../fs-view.js';
import type { DriveRoot, SourceLayout } from '../source-layout.js';
import { binnDirOf, INSTANCE_FOLDER_GLOB, instanceFromFolder, placesOfNamedDll } from '../../detection/mssql/index.js';
import { resolveSegments } from '../walk.js';
import { formatWindowsPath, globMatch, parseWindowsPath, storedPathFor, windowsPathKey } from '../win-path.js';
import { NOT_IN_SOURCE, type PlanItem, type PlanOptions } from './types.js';

/** Warnings for named DLLs that are not found, one each up to this many (a hostile log names thousands). */
const MAX_MISSING_WARNINGS = 100;

export interface InstanceRoot {
  name: string;
  root: string;
  drive: DriveRoot;
}

/** SQL Server instance folders (`Program Files*\Microsoft SQL Server\MSSQL*.*`) on every drive. */
export async function instanceRoots(view: FsView, layout: SourceLayout): Promise<InstanceRoot[]> {
  const perDrive = await Promise.all(layout.drives.map((d) => instanceRootsOn(view, d)));
  return perDrive.flat();
}

async function instanceRootsOn(view: FsView, drive: DriveRoot): Promise<InstanceRoot[]> {
  const out: InstanceRoot[] = [];
  const top = await view.readDir(drive.base);
  if (!top.ok) return out;
  for (const pf of top.value.filter((e) => e.type === 'dir' && globMatch('Program Files*', e.name))) {
    const ms = await resolveSegments(view, drive, [pf.name, 'Microsoft SQL Server']);
    if (!ms) continue;
    const list = await view.readDir(ms);
    if (!list.ok) continue;
    for (const inst of list.value.filter((e) => e.type === 'dir' && globMatch(INSTANCE_FOLDER_GLOB, e.name))) {
      const name = instanceFromFolder(inst.name);
      if (!name) continue;
      const segs = [pf.name, 'Microsoft SQL Server', inst.name];
      out.push({ name, root: formatWindowsPath(drive.drive, segs), drive });
    }
  }
  return out;
}

/** Thousands of names resolve through the same few folders: each folder is listed once. */
function cachedView(view: FsView): FsView {
  const listed = new Map<string, ReturnType<FsView['readDir']>>();
  return {
    ...view,
    readDir: (p) => {
      const k = p.join('\0');
      let r = listed.get(k);
      if (!r) listed.set(k, (r = view.readDir(p)));
      return r;
    },
  };
}

/** Adds an item per named DLL to `items`/`byKey` (an item already planned becomes a copy). */
export async function resolveNamedDlls(
  view: FsView,
  layout: SourceLayout,
  instances: readonly InstanceRoot[],
  refs: readonly DllRef[],
  plan: { items: PlanItem[]; byKey: Map<string, PlanItem> },
  opts: PlanOptions,
): Promise<void> {
  const resolveView = cachedView(view);
  const binnDirs = instances.map((i) => binnDirOf(i.root));
  const seen = new Set<string>();
  let missingCount = 0;
  for (const ref of refs) {
    if (opts.signal?.aborted) break;
    const candidates: { drive: DriveRoot; segments: string[] }[] = [];
    for (const place of placesOfNamedDll(ref.dll, binnDirs).candidates) {
      const p = parseWindowsPath(place);
      const d = p && layout.drives.find((x) => x.drive === p.drive);
      if (p && d) candidates.push({ drive: d, segments: p.segments });
    }
    let resolved = false;
    let unreadable: string | undefined;
    for (const c of candidates) {
      const fsPath = await resolveSegments(resolveView, c.drive, c.segments, (why) => (unreadable ??= why));
      if (!fsPath) continue;
      resolved = true;
      const original = formatWindowsPath(c.drive.drive, c.segments);
      const key = windowsPathKey(original);
      if (seen.has(key)) break;
      seen.add(key);
      const reason = `named by ${ref.reason}`;
      const existing = plan.byKey.get(key);
      if (existing) {
        existing.action = 'copy';
        existing.reason = `${existing.reason}; ${reason}`;
      } else {
        const it: PlanItem = {
          originalPath: original,
          storedPath: storedPathFor(c.drive.drive, c.segments),
          drive: c.drive.drive,
          segments: c.segments,
          fsPath,
          kind: 'dll',
          target: 'DLL named by the logs',
          category: 'named',
          action: 'copy',
          reason,
        };
        plan.items.push(it);
        plan.byKey.set(key, it);
      }
      break;
    }
    const missKey = `missing:${ref.dll.toLowerCase()}`;
    if (resolved || seen.has(missKey)) continue;
    seen.add(missKey);
    const error = unreadable ? `a folder on its path cannot be read (${unreadable}): not known whether it is there` : NOT_IN_SOURCE;
    if (++missingCount <= MAX_MISSING_WARNINGS) opts.log('warn', `DLL named by ${ref.reason}: ${ref.dll}: ${error}`);
    plan.items.push(unresolvedItem(ref, 'missing', error));
  }
  if (missingCount > MAX_MISSING_WARNINGS) opts.log('warn', `... and ${missingCount - MAX_MISSING_WARNINGS} more DLL(s) named by the evidence that could not be found (each has its manifest row)`);
}

/**
 * The row of a named DLL that has no file in the plan: `missing` (looked for, not there) or
 * `skip` (not looked for: the first reference past the budget of names, counting the rest).
 */
export function unresolvedItem(ref: DllRef, action: 'missing' | 'skip', error: string): PlanItem {
  const w = parseWindowsPath(ref.dll);
  return {
    originalPath: w ? formatWindowsPath(w.drive, w.segments) : ref.dll,
    storedPath: '',
    drive: w?.drive ?? '',
    segments: w?.segments ?? [ref.dll],
    fsPath: [],
    kind: 'dll',
    target: 'DLL named by the logs',
    category: 'named',
    action,
    reason: `named by ${ref.reason}`,
    error,
  };
}
