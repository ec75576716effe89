import { EVENT_LOG_TARGETS } from './event-logs.js';
import { BINN_TARGETS, SQL_SERVER_TARGETS } from './sql-server.js';
import { sweepTargets, type SweepMode } from './sweep.js';
import type { Target } from './types.js';

export type { Target, TargetAction, TargetCategory } from './types.js';
export { EVENT_LOG_TARGETS } from './event-logs.js';
export { BINN_TARGETS, SQL_SERVER_TARGETS, SQL_BINN, SQL_INSTANCE_ROOT, instanceTargets } from './sql-server.js';
export { sweepTargets, SMART_SWEEP_TARGETS, FULL_SWEEP_TARGETS, type SweepMode } from './sweep.js';
export { matchesTarget, matchTargets, shouldDescend } from './match.js';

/** Every target for a run, most specific first (a Binn DLL is `binn`, not `sweep`). */
export function allTargets(sweep: SweepMode): readonly Target[] {
  return [...EVENT_LOG_TARGETS, ...SQL_SERVER_TARGETS, ...BINN_TARGETS, ...sweepTargets(sweep)];
}
