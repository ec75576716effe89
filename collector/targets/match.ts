/**
 * Matching paths against targets: pure functions, tested on their own.
 * Paths are name segments below a drive root.
 */
import { globMatch } from '../win-path.js';
import type { Target } from './types.js';

function patternSegments(t: Target): string[] {
  return t.path.split('\\').filter((s) => s !== '');
}

function prefixMatches(pattern: readonly string[], dir: readonly string[], n: number): boolean {
  for (let i = 0; i < n; i++) if (!globMatch(pattern[i] ?? '', dir[i] ?? '')) return false;
  return true;
}

function excluded(t: Target, dir: readonly string[], from: number): boolean {
  if (!t.excludeDirs) return false;
  for (let i = from; i < dir.length; i++) {
    const seg = dir[i] ?? '';
    if (t.excludeDirs.some((x) => globMatch(x, seg))) return true;
  }
  return false;
}

/** Does the file at `segments` (folder names + file name) fall under target `t`? */
export function matchesTarget(t: Target, segments: readonly string[]): boolean {
  if (segments.length === 0) return false;
  const dir = segments.slice(0, -1);
  const name = segments[segments.length - 1] ?? '';
  const pat = patternSegments(t);
  if (t.recursive ? dir.length < pat.length : dir.length !== pat.length) return false;
  if (!prefixMatches(pat, dir, pat.length)) return false;
  if (excluded(t, dir, pat.length)) return false;
  return globMatch(t.fileMask, name);
}

/** The first target (in list order) that takes this file. */
export function matchTargets(targets: readonly Target[], segments: readonly string[]): Target | undefined {
  return targets.find((t) => matchesTarget(t, segments));
}

/** Could any file below folder `dir` match a target? The walker prunes folders that cannot. */
export function shouldDescend(targets: readonly Target[], dir: readonly string[]): boolean {
  return targets.some((t) => {
    const pat = patternSegments(t);
    if (dir.length <= pat.length) return prefixMatches(pat, dir, dir.length);
    return t.recursive && prefixMatches(pat, dir, pat.length) && !excluded(t, dir, pat.length);
  });
}
