/**
 * Planning a collection (plan first, then do the I/O), in phases:
 *   1. walk the source against the targets (`planFiles`);
 *   2. read the logs and SQL exports for the DLLs they name, resolve those names to files;
 *   3. classify the files in the sweep locations (`sweepPlan`: run after the logs and named
 *      DLLs are in the bundle, so a sweep cut short never costs them).
 * `collect` streams the plan into a bundle; the folder `EvidenceSet` lists the same plan, so
 * analysing a folder sees what collecting it would.
 */
import { hostOfServerName, MAX_NAMED_DLLS, shortComputerName } from '../../detection/mssql/index.js';
import type { FsView } from '../fs-view.js';
import type { SourceLayout } from '../source-layout.js';
import { allTargets } from '../targets/index.js';
import { walkDrive, type FoundFile, type WalkSkip } from '../walk.js';
import { formatWindowsPath, windowsPathKey } from '../win-path.js';
import { dllNamesOf } from './dll-names.js';
import { instanceRoots, resolveNamedDlls, unresolvedItem } from './resolve.js';
import { sweepCandidatesInto, toItem } from './sweep.js';
import type { CollectionPlan, PlanItem, PlanOptions } from './types.js';

export { NOT_IN_SOURCE, type CollectionPlan, type PlanAction, type PlanItem, type PlanOptions } from './types.js';
export { DLL_NAMING_LOGS } from './dll-names.js';
export { MAX_SWEEP_CLASSIFIED, MAX_SWEEP_FILE_BYTES, SWEEP_TIME_BUDGET_MS } from './sweep.js';

/** Walks every drive of the source; what could not be walked is listed in `skipped`. */
async function walkSource(view: FsView, layout: SourceLayout, opts: PlanOptions): Promise<{ found: FoundFile[]; skipped: WalkSkip[] }> {
  const targets = [...(opts.extraTargets ?? []), ...allTargets(opts.sweep)];
  const found: FoundFile[] = [];
  const skipped: WalkSkip[] = [];
  for (const drive of layout.drives) {
    for await (const f of walkDrive(view, drive, targets, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      onSkip: (s) => {
        opts.log('warn', `skipped ${s.path}: ${s.reason}`);
        if (s.unreadable || s.budget) skipped.push(s);
      },
    })) {
      found.push(f);
      if (found.length % 500 === 0) opts.progress?.('scanning', found.length, 0);
    }
  }
  return { found, skipped };
}

/**
 * Phases 1 and 2: the logs, SQL Server files and Binn DLLs of the targets plus every DLL the
 * evidence names. The sweep's candidates are listed, not yet read. Never throws for bad input:
 * problems become item errors and log lines.
 */
export async function planFiles(view: FsView, layout: SourceLayout, opts: PlanOptions): Promise<CollectionPlan> {
  const { found, skipped } = await walkSource(view, layout, opts);
  const items: PlanItem[] = [];
  const sweepCandidates: FoundFile[] = [];
  for (const f of found) {
    if (f.type === 'symlink' && f.target.action !== 'copy') {
      opts.log('info', `skipped link ${formatWindowsPath(f.drive, f.segments)}: links are not followed by the sweep`);
    } else if (f.type === 'other') {
      // FIFOs, devices, sockets: listed, never opened (a FIFO blocks its reader forever).
      opts.log('warn', `skipped ${formatWindowsPath(f.drive, f.segments)}: not a regular file (FIFO, device or socket)`);
      if (f.target.action !== 'classify') items.push({ ...toItem(f), action: 'skip', error: 'not a regular file (FIFO, device or socket): not opened' });
    } else if (f.target.action === 'classify') sweepCandidates.push(f);
    else items.push(toItem(f));
  }
  const byKey = new Map(items.map((i) => [windowsPathKey(i.originalPath), i] as const));
  const named = await dllNamesOf(view, items, opts);
  const instances = await instanceRoots(view, layout);
  await resolveNamedDlls(view, layout, instances, named.refs, { items, byKey }, opts);
  const beyond = named.beyondBudget;
  if (beyond)
    items.push(unresolvedItem(beyond.first, 'skip', `not looked for: the evidence names more than ${MAX_NAMED_DLLS} distinct DLLs; this and ${beyond.count - 1} later reference(s) were not followed`));
  if (opts.copyBinn) for (const it of items) if (it.category === 'binn' && it.action === 'hash') it.action = 'copy';
  return {
    items,
    byKey,
    hostClues: { computers: named.computers, serverNames: named.serverNames },
    hostNames: [...new Set([...[...named.computers.keys()].map(shortComputerName), ...named.serverNames.map(hostOfServerName).filter((h) => h !== '')])],
    instances: instances.map((i) => ({ name: i.name, root: i.root })),
    sweepCandidates,
    sweepSeen: sweepCandidates.length,
    sweepPe: 0,
    skipped,
  };
}

/** Phase 3: classifies the sweep candidates; the ones that hit join the plan. Returns the new items. */
export async function sweepPlan(view: FsView, plan: CollectionPlan, opts: PlanOptions): Promise<PlanItem[]> {
  const before = plan.items.length;
  plan.sweepPe = await sweepCandidatesInto(view, plan.sweepCandidates, plan, opts);
  return plan.items.slice(before);
}

/** The whole plan at once (a folder analysed without collecting it). */
export async function planCollection(view: FsView, layout: SourceLayout, opts: PlanOptions): Promise<CollectionPlan> {
  const plan = await planFiles(view, layout, opts);
  await sweepPlan(view, plan, opts);
  return plan;
}
