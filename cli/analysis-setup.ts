import { performance } from 'node:perf_hooks';
import type { AnalyzeOptions } from '../detection/analyze/run.js';
import type { DllClassifier } from '../detection/analyze/dlls.js';
import type { KnownEsps } from '../detection/analyze/esp-inventory.js';
import { parseBaseline, type Baseline } from '../detection/baseline.js';
import { KNOWN_ESPS, classifyFile, type KnownEspData, type TrustAnchor } from '../detection/esp/index.js';
import { createYaraEngine, type CompiledYara } from '../detection/yara/index.js';
import { createAuthenticodeCache } from '../parsers/pe/index.js';
import type { FileClassifier } from '../collector/classify.js';
import type { CliContext } from './context.js';
import { loadTrustAnchors } from './trust-files.js';
import { readRuleFiles, readUserFile, shippedRuleFiles, SIGMA_EXTS, YARA_EXTS } from './rule-files.js';

/** Flags shared by `analyze` and `collect` that shape the analysis. */
export interface AnalysisFlags {
  sigma?: string[];
  yara?: string[];
  baseline?: string;
  /** Use only the user's Sigma rules, not espy's pack. */
  noDefaultRules?: boolean;
  /** Extra Authenticode trust anchors (PEM files) besides the shipped Microsoft roots. */
  trust?: string[];
}

/** Known Microsoft ESP names as the inventory wants them (lower-case sets). */
export function knownEspSets(data: KnownEspData = KNOWN_ESPS): KnownEsps {
  return {
    dlls: new Set(data.dlls.map((d) => d.dll.toLowerCase())),
    procedures: new Set(data.dlls.flatMap((d) => d.procedures.map((p) => p.toLowerCase()))),
  };
}

/** Adapts the PE/ESP/YARA classification to what the analysis keeps per DLL. */
export function makeDllClassifier(yara: CompiledYara | undefined, trust: readonly TrustAnchor[] = []): DllClassifier {
  const authenticodeCache = createAuthenticodeCache();
  return async ({ path, bytes, created, modified }) => {
    const times: { created?: string; modified?: string } = {};
    if (created) times.created = created;
    if (modified) times.modified = modified;
    const c = await classifyFile({ path, bytes, times }, { knownEsps: KNOWN_ESPS, trust, authenticodeCache, ...(yara ? { yara } : {}) });
    const { status, microsoftSigned, claimsMicrosoft, description, signingTime } = c.signature;
    return {
      file: {
        present: true,
        path,
        size: c.size,
        md5: c.md5,
        sha1: c.sha1,
        sha256: c.sha256,
        isPe: c.isPe,
        isEsp: c.isEsp,
        espReasons: c.espReasons,
        exports: c.exports,
        signed: c.signed,
        ...(c.signer ? { signer: c.signer } : {}),
        signature: { status, microsoftSigned, claimsMicrosoft, description, ...(signingTime ? { signingTime } : {}) },
        ...(c.company ? { company: c.company } : {}),
        yara: c.yara,
      },
      suspicion: c.suspicion,
      reasons: c.reasons,
    };
  };
}

/**
 * Loads rules (espy's packs plus the user's), compiles YARA in its worker, reads the baseline,
 * and returns the analysis options. `close()` ends the YARA worker.
 */
export async function prepareAnalysis(ctx: CliContext, flags: AnalysisFlags): Promise<{ options: Omit<AnalyzeOptions, 'generatedAt'>; yara: CompiledYara | undefined; close(): Promise<void> }> {
  const sigma = [...(flags.noDefaultRules ? [] : shippedRuleFiles('rules/sigma/', SIGMA_EXTS)), ...(await readRuleFiles(flags.sigma ?? [], SIGMA_EXTS))];
  const yaraSources = [
    ...shippedRuleFiles('rules/yara/', YARA_EXTS).map((f) => ({ name: f.path, text: f.text, shipped: true })),
    ...(await readRuleFiles(flags.yara ?? [], YARA_EXTS)).map((f) => ({ name: f.path, text: f.text })),
  ];
  let baseline: Baseline | undefined;
  if (flags.baseline) baseline = parseBaseline((await readUserFile(flags.baseline, 'baseline')).toString('utf8'), flags.baseline);
  const trust = await loadTrustAnchors(flags.trust ?? [], ctx.cwd);

  const engine = createYaraEngine();
  let yara: CompiledYara | undefined;
  try {
    yara = await engine.compile(yaraSources);
    for (const e of yara.errors) ctx.log.warn(`YARA rule rejected: ${e.source}${e.line ? `:${e.line}` : ''}: ${e.message}`);
  } catch (e) {
    ctx.log.warn(`YARA unavailable, DLLs classified without it: ${e instanceof Error ? e.message : String(e)}`);
    ctx.markPartial('YARA engine failed');
  }
  const options: Omit<AnalyzeOptions, 'generatedAt'> = {
    sigma,
    classify: makeDllClassifier(yara, trust),
    yaraRuleCount: yara?.rules.length ?? 0,
    yaraErrors: (yara?.errors ?? []).map((e) => ({ path: e.source, ...(e.line ? { line: e.line } : {}), reason: e.message })),
    known: knownEspSets(),
    espyVersion: ctx.version,
    command: ['espy', ...ctx.argv.slice(2)].join(' '),
    signal: ctx.signal,
    clock: () => performance.now(),
    ...(baseline ? { baseline } : {}),
  };
  return { options, yara, close: () => engine.close() };
}

/** The collector's sweep classifier (keeps PE files that are ESPs or hit YARA), from the same code. */
export function sweepClassifier(yara: CompiledYara | undefined): FileClassifier {
  return async (bytes, originalPath) => {
    const c = await classifyFile({ path: originalPath, bytes }, { knownEsps: KNOWN_ESPS, ...(yara ? { yara } : {}) });
    return { isPe: c.isPe, isEsp: c.isEsp, reasons: c.reasons, yara: c.yara.map((h) => h.rule) };
  };
}
