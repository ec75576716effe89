import type { Target } from './types.js';

export type SweepMode = 'smart' | 'full' | 'none';

function sweep(name: string, path: string, recursive: boolean, excludeDirs?: readonly string[]): Target {
  const t: Target = { name, category: 'sweep', path, fileMask: '*', recursive, kind: 'dll', action: 'classify' };
  if (excludeDirs) t.excludeDirs = excludeDirs;
  return t;
}

/**
 * Where a backdoor DLL is dropped in practice (Maggie: `C:\ProgramData\`): user-writable and
 * temporary places, the drive root, and SQL Server folders other than Binn.
 */
export const SMART_SWEEP_TARGETS: readonly Target[] = [
  sweep('DLL sweep: ProgramData', 'ProgramData', true),
  sweep('DLL sweep: Users', 'Users', true),
  sweep('DLL sweep: Windows\\Temp', 'Windows\\Temp', true),
  sweep('DLL sweep: Temp', 'Temp', true),
  sweep('DLL sweep: Recycle Bin', '$Recycle.Bin', true),
  sweep('DLL sweep: PerfLogs', 'PerfLogs', true),
  sweep('DLL sweep: drive root', '', false),
  sweep('DLL sweep: SQL Server outside Binn', 'Program Files*\\Microsoft SQL Server', true, ['Binn']),
];

export const FULL_SWEEP_TARGETS: readonly Target[] = [sweep('DLL sweep: whole drive', '', true)];

export function sweepTargets(mode: SweepMode): readonly Target[] {
  return mode === 'full' ? FULL_SWEEP_TARGETS : mode === 'smart' ? SMART_SWEEP_TARGETS : [];
}
