import { analyze, scanLogs } from '../detection/analyze/run.js';
import { loadRules } from '../detection/sigma/index.js';
import { prepareAnalysis, sweepClassifier } from './analysis-setup.js';
import type { CollectAnalysis } from './collect-run.js';
import type { CliContext } from './context.js';

/**
 * `collect`'s analysis: the same analysis `espy analyze` runs, over the evidence just
 * collected (the logs read as they are copied), and the same classifier for the DLL sweep.
 * `close()` ends the YARA worker.
 */
export async function makeCollectAnalysis(ctx: CliContext, flags: { baseline?: string; trust?: string[] }): Promise<CollectAnalysis & { close(): Promise<void> }> {
  const setup = await prepareAnalysis(ctx, { ...(flags.baseline ? { baseline: flags.baseline } : {}), trust: flags.trust ?? [] });
  return {
    classify: sweepClassifier(setup.yara),
    scanLogs: (evidence, artefacts, opts) => scanLogs(evidence, artefacts, loadRules(setup.options.sigma), { signal: opts.signal, ...(setup.options.clock ? { clock: setup.options.clock } : {}) }),
    analyse: (evidence, opts) =>
      analyze(evidence, {
        ...setup.options,
        generatedAt: new Date().toISOString(),
        command: opts.command,
        signal: opts.signal,
        source: { bundleName: opts.bundleName },
        ...(opts.logScan ? { logScan: opts.logScan } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      }),
    close: () => setup.close(),
  };
}
