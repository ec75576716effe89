import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Debian oracles used by differential tests. Debian's python modules live under
 * /usr/bin/python3 (the machine's default `python3` may be another interpreter).
 */
export const ORACLES = {
  evtxexport: '/usr/bin/evtxexport',
  evtxDumpPy: '/usr/bin/evtx_dump.py',
  python3: '/usr/bin/python3',
  yara: '/usr/bin/yara',
  chromium: '/usr/bin/chromium',
} as const;

export function hasOracle(name: keyof typeof ORACLES): boolean {
  return existsSync(ORACLES[name]);
}

/** In CI every oracle must be there (.ci/run installs them); locally a missing one skips. */
export function requireOracle(name: keyof typeof ORACLES): boolean {
  if (hasOracle(name)) return true;
  if (process.env.CI) throw new Error(`oracle ${ORACLES[name]} missing in CI: .ci/run must install it`);
  return false;
}

/** Runs a command, returning stdout (utf-8); large buffer. */
export function runOracle(cmd: string, args: string[], timeoutMs = 120_000): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutMs });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status };
}

/** Python with Debian's modules (pefile, Evtx). */
export function runPython(script: string, args: string[] = [], timeoutMs = 120_000): string {
  return execFileSync(ORACLES.python3, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutMs });
}
