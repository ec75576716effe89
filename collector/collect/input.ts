/**
 * What a collection reads: a source folder or zip (an image, a KAPE or Velociraptor
 * collection), or the drives of the live host. The SQL Server folders the live host's
 * registry names become extra targets (an instance outside Program Files, an ERRORLOG on D:).
 */
import type { FsView } from '../fs-view.js';
import { multiDriveView, type LiveHost } from '../live-host.js';
import type { Manifest } from '../manifest.js';
import type { CollectionPlan, PlanOptions } from '../plan/index.js';
import { resolve } from 'node:path';
import type { SourceLayout } from '../source-layout.js';
import { openSource } from '../source.js';
import { instanceTargets, type Target } from '../targets/index.js';
import { parseWindowsPath } from '../win-path.js';
import type { CollectOptions } from './options.js';

export interface CollectInput {
  view: FsView;
  layout: SourceLayout;
  kind: Manifest['source']['kind'];
  path: string;
  close(): Promise<void>;
}

export async function openInput(opts: CollectOptions): Promise<CollectInput> {
  const wrap = (v: FsView): FsView => (opts.wrapView ? opts.wrapView(v) : v);
  if (opts.source !== undefined) {
    const s = await openSource(opts.source);
    return { view: wrap(s.view), layout: s.layout, kind: s.layout.kind, path: s.path, close: s.close };
  }
  if (!opts.live) throw new Error('no --source given and no live host access on this platform: give --source DIR');
  const drives = await opts.live.drives();
  const letters = Object.keys(drives).sort();
  return {
    view: wrap(multiDriveView(drives)),
    layout: { kind: 'kape', drives: letters.map((d) => ({ drive: d, base: [d], encoded: false })), notes: [] },
    kind: 'live',
    path: letters.map((d) => `${d}:\\`).join(' '),
    close: () => Promise.resolve(),
  };
}

/** The instance folders of the live host's registry as targets; the drive letter is kept (`-eD:\SQLLOGS\ERRORLOG` is read on D: only). */
export async function registryTargets(live: LiveHost | undefined, log: (level: 'info' | 'warn', msg: string) => void): Promise<Target[]> {
  if (!live?.sqlInstanceDirs) return [];
  const dirs = await live.sqlInstanceDirs().catch((e: Error) => {
    log('warn', `reading SQL Server folders from the registry failed: ${e.message}`);
    return [];
  });
  const out: Target[] = [];
  for (const d of dirs) {
    const logW = d.logDir ? parseWindowsPath(d.logDir) : undefined;
    const binn = d.binnDir ? parseWindowsPath(d.binnDir) : undefined;
    out.push(
      ...instanceTargets(d.instance, {
        ...(logW ? { logDir: logW.segments.join('\\'), logDrive: logW.drive } : {}),
        ...(binn ? { binnDir: binn.segments.join('\\'), binnDrive: binn.drive } : {}),
      }),
    );
    log('info', `SQL Server instance ${d.instance} (registry): log ${d.logDir ?? '?'}, Binn ${d.binnDir ?? '?'}`);
  }
  return out;
}

/** What sysinfo.json says: the suspect host (live: a snapshot) and who collected. */
export async function hostFacts(o: CollectOptions, host: string, plan: CollectionPlan): Promise<Record<string, unknown>> {
  return o.live
    ? { hostname: o.live.hostname, ...(await o.live.snapshot().catch((e: Error) => ({ snapshotError: e.message }))), collectedBy: o.localHost }
    : {
        hostname: host,
        hostSource: plan.hostNames.length > 0 ? 'named by the evidence (event Computer / ERRORLOG server name)' : 'source folder name (the evidence names no host)',
        hostNamesSeen: plan.hostNames,
        sqlInstances: plan.instances,
        collectedBy: o.localHost,
        note: 'image or collection source: collectedBy is the analyst machine, not the suspect host',
      };
}

/** The plan's options from the collection's: what to walk and sweep, and what the sweep never reads. */
export function planOptionsOf(o: CollectOptions, sqlExports: PlanOptions['sqlExports'], log: PlanOptions['log']): PlanOptions {
  return {
    sweep: o.sweep,
    copyBinn: o.copyBinn,
    maxFileSize: o.maxFileSize,
    signal: o.signal,
    sqlExports: sqlExports ?? [],
    // On a live host espy's executable and its --out folder are on the swept drives.
    sweepExclude: o.live ? [o.selfPath ?? process.execPath, resolve(o.outDir)].filter((p) => parseWindowsPath(p) !== undefined) : [],
    ...(o.classify ? { classify: o.classify } : {}),
    ...(o.readEvents ? { readEvents: o.readEvents } : {}),
    ...(o.progress ? { progress: o.progress } : {}),
    log,
  };
}
