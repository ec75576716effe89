/**
 * Phase one of a plan: which DLLs do the logs and SQL exports name, and which host do they
 * describe? One reference per distinct DLL (the first place naming it): a log repeating one
 * name 150,000 times must not cost 150,000 lookups; a log naming 150,000 DLLs has the first
 * MAX_NAMED_DLLS looked for, and the rest counted.
 */
import { summarizeEvent } from '../../parsers/common/event.js';
import { dllRefsFromEvent, dllRefsFromSqlExport, type DllRef } from '../dll-refs.js';
import { scanErrorlog } from '../errorlog-scan.js';
import { MAX_NAMED_DLLS, NamedDllBudget, type NameSource } from '../../detection/mssql/index.js';
import type { FsView } from '../fs-view.js';
import type { PlanItem, PlanOptions } from './types.js';

/** Event logs read in phase one for DLL names: only these channels name ESP DLLs (8128/33090/8131/17750 in Application, 7 in Sysmon). */
export const DLL_NAMING_LOGS = /^(Application|Microsoft-Windows-Sysmon%4Operational)\.evtx$/i;

export interface NamedDlls {
  /** One per distinct DLL, up to MAX_NAMED_DLLS from each kind of evidence (NamedDllBudget). */
  refs: DllRef[];
  /** References past MAX_NAMED_DLLS (a flood), and the first of them. */
  beyondBudget: { count: number; first: DllRef } | undefined;
  /** Event `Computer` values of Application.evtx with their counts, and ERRORLOG server names: clues to the host's name. */
  computers: Map<string, number>;
  serverNames: string[];
}

class RefList implements NamedDlls {
  readonly refs: DllRef[] = [];
  readonly computers = new Map<string, number>();
  readonly serverNames: string[] = [];
  private readonly keys = new Set<string>();
  private readonly budget = new NamedDllBudget();
  private firstBeyond: DllRef | undefined;
  get beyondBudget(): NamedDlls['beyondBudget'] {
    return this.firstBeyond && { count: this.budget.refused, first: this.firstBeyond };
  }
  add(r: DllRef, source: NameSource): void {
    // Every name takes its place in its source's budget, as in the analysis, listed or not.
    if (!this.budget.admit(r.dll, source)) {
      this.firstBeyond ??= r;
      return;
    }
    const k = r.dll.toLowerCase();
    if (this.keys.has(k)) return;
    this.keys.add(k);
    this.refs.push(r);
  }
}

/** The DLL names in the planned logs and the SQL exports. Never throws: a log that fails is a warning. */
export async function dllNamesOf(view: FsView, items: readonly PlanItem[], opts: PlanOptions): Promise<NamedDlls> {
  const out = new RefList();
  const logs = items.filter((i) => i.kind === 'evtx' || i.kind === 'errorlog');
  let done = 0;
  for (const it of logs) {
    if (opts.signal?.aborted) break;
    opts.progress?.('reading logs', done++, logs.length);
    if (it.kind === 'errorlog') await namesInErrorlog(view, it, out, opts);
    else await namesInEventLog(view, it, out, opts);
  }
  for (const x of opts.sqlExports ?? []) for (const r of dllRefsFromSqlExport(x.text, x.label)) out.add(r, 'export');
  if (out.refs.length > 0) opts.log('info', `the evidence names ${out.refs.length} distinct DLL(s)`);
  const beyond = out.beyondBudget;
  if (beyond) opts.log('warn', `the evidence names more than ${MAX_NAMED_DLLS} distinct DLLs: ${beyond.count} later reference(s) not looked for (the first: ${beyond.first.dll})`);
  if (!opts.readEvents && logs.some((l) => l.kind === 'evtx')) {
    opts.log('warn', 'EVTX parser not available in this build: DLLs named only by event logs are not fetched');
  }
  return out;
}

/** One streamed parse of the log: its events and its lines name the DLLs (errorlog-scan.ts). */
async function namesInErrorlog(view: FsView, it: PlanItem, out: RefList, opts: PlanOptions): Promise<void> {
  const opened = await view.open(it.fsPath);
  if (!opened.ok) return; // reported when collected
  try {
    const scan = await scanErrorlog(opened.value, it.originalPath, { ...(opts.signal ? { signal: opts.signal } : {}), onRef: (r) => out.add(r, 'errorlog') });
    if (scan.computer) out.serverNames.push(scan.computer);
    if (scan.serverName) out.serverNames.push(scan.serverName);
  } catch (e) {
    if (opts.signal?.aborted) return;
    opts.log('warn', `reading ${it.originalPath} for DLL names failed: ${(e as Error).message}`);
  } finally {
    await opened.value.close().catch(() => undefined);
  }
}

/** Application and Sysmon only: parsing Security (often GBs) here would only slow the collection down. */
async function namesInEventLog(view: FsView, it: PlanItem, out: RefList, opts: PlanOptions): Promise<void> {
  const label = it.segments[it.segments.length - 1] ?? it.originalPath;
  if (!opts.readEvents || !DLL_NAMING_LOGS.test(label)) return;
  const opened = await view.open(it.fsPath);
  if (!opened.ok) return; // reported when collected
  try {
    const file = opened.value;
    for await (const ev of opts.readEvents({ size: file.size, read: (o, n) => file.read(o, n) })) {
      if (opts.signal?.aborted) break;
      const s = summarizeEvent(ev);
      if (s.computer && /^Application\.evtx$/i.test(label)) out.computers.set(s.computer, (out.computers.get(s.computer) ?? 0) + 1);
      for (const r of dllRefsFromEvent(ev, label)) out.add(r, 'evtx');
    }
  } catch (e) {
    opts.log('warn', `reading events from ${it.originalPath} for DLL names failed: ${(e as Error).message}`);
  } finally {
    await opened.value.close().catch(() => undefined);
  }
}
