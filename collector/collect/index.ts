/**
 * A collection without analysis: the steps of a `CollectSession` in their order. The
 * `collect` command runs the same steps with the analysis between them (cli/collect-run.ts).
 */
import { CollectSession } from './session.js';
import type { CollectOptions, CollectResult } from './options.js';

export { CollectSession } from './session.js';
export { CollectionFailedError, safeHostName, utcStamp, type CollectOptions, type CollectResult } from './options.js';
export { MAX_SQL_EXPORT_BYTES, MAX_SQL_TEXT_BYTES, MAX_SQL_TEXT_TOTAL_BYTES } from './sql.js';
export type { StreamedLogs } from './streamed.js';

export async function collect(opts: CollectOptions): Promise<CollectResult> {
  const session = await CollectSession.open(opts);
  try {
    await session.gatherSql();
    const plan = await session.plan();
    await session.describeHost(plan);
    await session.copy(plan.items, 'collecting files');
    await session.sweep(plan);
    return await session.finish();
  } catch (e) {
    throw await session.fail(e);
  } finally {
    await session.close();
  }
}
