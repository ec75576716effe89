/**
 * The DLL sweep of a collection plan: files in the sweep locations that carry a PE signature are
 * classified (ESP heuristics, YARA) within a count and time budget; the ones that hit join the
 * plan. espy's own executable and output are never read.
 */
import { hasMzMagic, isKept, type Classification } from '../classify.js';
import type { FsView } from '../fs-view.js';
import type { PlanAction, PlanItem, PlanOptions } from './types.js';
import type { FoundFile, WalkSkip } from '../walk.js';
import { formatWindowsPath, storedPathFor, windowsPathKey } from '../win-path.js';

/** Sweep candidates above this size are not read for classification (named DLLs still are). */
export const MAX_SWEEP_FILE_BYTES = 64 * 1024 * 1024;
/** The sweep classifies at most this many PE files... */
export const MAX_SWEEP_CLASSIFIED = 20_000;
/** ...and spends at most this long; the rest is listed as not classified. */
export const SWEEP_TIME_BUDGET_MS = 20 * 60_000;
/** Sweep candidates whose PE signature is read ahead of the one being looked at. */
const SIGNATURE_LOOKAHEAD = 32;
export function toItem(f: FoundFile): PlanItem {
  const action: PlanAction = f.target.action === 'copy' ? 'copy' : 'hash';
  return {
    originalPath: formatWindowsPath(f.drive, f.segments),
    storedPath: storedPathFor(f.drive, f.segments),
    drive: f.drive,
    segments: f.segments,
    fsPath: f.fsPath,
    kind: f.target.kind,
    target: f.target.name,
    category: f.target.category,
    action,
    reason: f.target.name,
  };
}

export async function readSmall(view: FsView, path: string[], cap: number): Promise<Uint8Array | string> {
  const st = await view.lstat(path);
  if (st.ok && st.value.size > cap) return `larger than ${cap} bytes`;
  const o = await view.open(path);
  if (!o.ok) return o.message;
  try {
    return await o.value.read(0, Math.min(o.value.size, cap));
  } catch (e) {
    return (e as Error).message;
  } finally {
    await o.value.close().catch(() => undefined);
  }
}

/**
 * Has the file a DOS header whose `e_lfanew` points at `PE\0\0`? Anything else cannot parse as
 * a PE, and only PEs are kept by the sweep: a folder of two-byte `MZ` files costs one small
 * read each, not a classification.
 */
async function hasPeSignature(view: FsView, path: string[]): Promise<boolean> {
  const o = await view.open(path);
  if (!o.ok) return false;
  try {
    const dos = await o.value.read(0, 64);
    if (dos.length < 64 || !hasMzMagic(dos)) return false;
    const at = Buffer.from(dos.buffer, dos.byteOffset, dos.byteLength).readUInt32LE(0x3c);
    if (at < 4 || at > o.value.size - 4) return false;
    const sig = await o.value.read(at, 4);
    return sig.length === 4 && sig[0] === 0x50 && sig[1] === 0x45 && sig[2] === 0 && sig[3] === 0;
  } catch {
    return false;
  } finally {
    await o.value.close().catch(() => undefined);
  }
}

/**
 * `hasPeSignature` of candidate `i`, with the next SIGNATURE_LOOKAHEAD already under way: a
 * folder of a hundred thousand small files waits on the disk a few dozen times at once, not
 * once per file, while the sweep still takes the files in order, one by one. Ask for each `i`
 * once, in increasing order.
 */
function signaturesAhead(view: FsView, candidates: readonly FoundFile[]): (i: number) => Promise<boolean> {
  const started = new Map<number, Promise<boolean>>();
  return (i) => {
    for (let j = i; j < Math.min(i + SIGNATURE_LOOKAHEAD, candidates.length); j++) {
      if (!started.has(j))
        started.set(
          j,
          hasPeSignature(view, (candidates[j] as FoundFile).fsPath).catch(() => false),
        );
    }
    const p = started.get(i) ?? Promise.resolve(false);
    started.delete(i);
    return p;
  };
}

/** What the sweep adds to: the plan's items (by key) and its list of skipped places. */
export interface SweepTarget {
  items: PlanItem[];
  byKey: Map<string, PlanItem>;
  skipped: WalkSkip[];
}

/** Classifies the sweep candidates, adds the kept ones; returns how many PE files were read. */
export async function sweepCandidatesInto(view: FsView, sweepCandidates: readonly FoundFile[], into: SweepTarget, opts: PlanOptions): Promise<number> {
  const { items, byKey, skipped } = into;
  let sweepPe = 0;
  if (sweepCandidates.length > 0 && !opts.classify) {
    opts.log('warn', `DLL sweep skipped (${sweepCandidates.length} candidate files): no ESP/YARA classifier in this build`);
  } else if (opts.classify) {
    let done = 0;
    const budget = { files: opts.sweepBudget?.files ?? MAX_SWEEP_CLASSIFIED, ms: opts.sweepBudget?.ms ?? SWEEP_TIME_BUDGET_MS };
    const sweepStart = Date.now();
    const excluded = (opts.sweepExclude ?? []).map((p) => windowsPathKey(p).replace(/\\+$/, ''));
    const isExcluded = (key: string): boolean => excluded.some((x) => key === x || key.startsWith(`${x}\\`));
    const signatureOf = signaturesAhead(view, sweepCandidates);
    for (const [i, f] of sweepCandidates.entries()) {
      if (opts.signal?.aborted) break;
      const isPe = signatureOf(i);
      if (++done % 50 === 0) opts.progress?.('sweeping', done, sweepCandidates.length);
      const original = formatWindowsPath(f.drive, f.segments);
      if (byKey.has(windowsPathKey(original))) continue;
      if (isExcluded(windowsPathKey(original))) {
        opts.log('info', `sweep: ${original} skipped: espy's own executable or output`);
        continue;
      }
      if (!(await isPe)) continue;
      if (sweepPe >= budget.files || Date.now() - sweepStart > budget.ms) {
        const why = sweepPe >= budget.files ? `${budget.files} PE files classified` : `${Math.round(budget.ms / 1000)} s spent`;
        const rest = sweepCandidates.length - done + 1;
        opts.log('warn', `sweep budget reached (${why}): ${rest} candidate file(s) not classified`);
        skipped.push({ path: original, reason: `sweep budget reached (${why}): this and ${rest - 1} later candidate file(s) not classified`, budget: true });
        break;
      }
      sweepPe++;
      const bytes = await readSmall(view, f.fsPath, Math.min(MAX_SWEEP_FILE_BYTES, opts.maxFileSize));
      if (typeof bytes === 'string') {
        opts.log('warn', `sweep: ${original} not classified: ${bytes}`);
        continue;
      }
      let c: Classification;
      try {
        c = await opts.classify(bytes, original);
      } catch (e) {
        opts.log('warn', `sweep: classifying ${original} failed: ${(e as Error).message}`);
        continue;
      }
      if (!isKept(c)) continue;
      const it = toItem(f);
      it.action = 'copy';
      it.classification = c;
      it.reason = `${f.target.name}: ${c.isEsp ? 'classified as ESP' : ''}${c.isEsp && c.yara.length ? ', ' : ''}${c.yara.length ? `YARA ${c.yara.join(', ')}` : ''}`;
      items.push(it);
      byKey.set(windowsPathKey(original), it);
    }
  }
  return sweepPe;
}
