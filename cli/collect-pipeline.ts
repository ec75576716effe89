import { analyze, scanLogs } from '../detection/analyze/run.js';
import { loadRules } from '../detection/sigma/index.js';
import { prepareAnalysis, sweepClassifier } from './analysis-setup.js';
import type { CollectAnalysis } from './collect-run.js';
import type { CliContext } from './context.js';

/**
 * `collect`'s analysis: the same analysis `espy analyze` runs, over the evidence just
 * collected (the logs read as they are copied), and the same classifier for the DLL sweep.
 * The YARA worker ends when the analysis does, and at `close()`.
 */
export async function makeCollectAnalysis(ctx: CliContext, flags: { baseline?: string; trust?: string[] }): Promise<CollectAnalysis & { close(): Promise<void> }> {
  const setup = await prepareAnalysis(ctx, { ...(flags.baseline ? { baseline: flags.baseline } : {}), trust: flags.trust ?? [] });
  return {
    classify: sweepClassifier(setup.yara),
    scanLogs: (evidence, artefacts, opts) => scanLogs(evidence, artefacts, loadRules(setup.options.sigma), { signal: opts.signal, ...(setup.options.clock ? { clock: setup.options.clock } : {}) }),
    analyse: async (evidence, opts) => {
      try {
        return await analyze(evidence, {
          ...setup.options,
          generatedAt: new Date().toISOString(),
          command: opts.command,
          signal: opts.signal,
          source: { bundleName: opts.bundleName },
          ...(opts.logScan ? { logScan: opts.logScan } : {}),
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        });
      } finally {
        // The DLLs are judged: the YARA worker's memory goes back before the report is
        // rendered, not when it has been idle for a while.
        await setup.close();
      }
    },
    close: () => setup.close(),
  };
}
