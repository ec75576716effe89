import { analyze } from '../detection/analyze/run.js';
import { prepareAnalysis, sweepClassifier } from './analysis-setup.js';
import type { CollectPipeline } from './commands/collect.js';
import type { CliContext } from './context.js';

/**
 * `collect`'s analysis stage: the same analysis `espy analyze` runs, over the evidence just
 * collected, and the same classifier for the DLL sweep. `close()` ends the YARA worker.
 */
export async function makeCollectPipeline(ctx: CliContext, flags: { baseline?: string; trust?: string[] }): Promise<CollectPipeline & { close(): Promise<void> }> {
  const setup = await prepareAnalysis(ctx, { ...(flags.baseline ? { baseline: flags.baseline } : {}), trust: flags.trust ?? [] });
  return {
    classify: sweepClassifier(setup.yara),
    analyse: (evidence, opts) =>
      analyze(evidence, {
        ...setup.options,
        generatedAt: new Date().toISOString(),
        command: opts.command,
        signal: opts.signal,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      }),
    close: () => setup.close(),
  };
}
