/**
 * The production classifier for the DLL sweep and for Binn/named DLLs: detection's
 * `classifyFile` (PE facts, ESP heuristics, signer) plus YARA over the given rule sources.
 */
import { classifyFile, KNOWN_ESPS } from '../detection/esp/index.js';
import { createYaraEngine, type YaraSource } from '../detection/yara/index.js';
import type { Classification, FileClassifier } from './classify.js';

/** Per-file YARA budget during the sweep. */
export const SWEEP_YARA_TIMEOUT_MS = 10_000;
export const SWEEP_YARA_MAX_MATCHES = 64;

export interface SweepClassifier {
  classify: FileClassifier;
  /** Rule files that did not compile (file:line: message). */
  errors: string[];
  close(): Promise<void>;
}

export async function createSweepClassifier(yaraSources: readonly YaraSource[]): Promise<SweepClassifier> {
  const engine = createYaraEngine();
  const compiled = await engine.compile(yaraSources);
  const classify: FileClassifier = async (bytes, path): Promise<Classification> => {
    const c = await classifyFile({ path, bytes }, { yara: compiled, knownEsps: KNOWN_ESPS, yaraTimeoutMs: SWEEP_YARA_TIMEOUT_MS, yaraMaxMatches: SWEEP_YARA_MAX_MATCHES });
    return { isPe: c.isPe, isEsp: c.isEsp, reasons: [...c.espReasons, ...c.reasons], yara: c.yara.map((h) => h.rule) };
  };
  return {
    classify,
    errors: compiled.errors.map((e) => `${e.source}${e.line === null ? '' : `:${e.line}`}: ${e.message}`),
    close: () => engine.close(),
  };
}
