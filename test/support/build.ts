import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

/** The compiled CLI that `bin/espy.js` runs (npm ci's prepare and `npm run build` make it). */
export const BUILT_MAIN = join(REPO_ROOT, 'build', 'cli', 'main.js');

/** The folders whose TypeScript the build compiles into build/. */
const SOURCE_DIRS = ['cli', 'collector', 'detection', 'parsers', 'report-templates'];

/** Newest modification time of those sources. */
function newestSource(): number {
  let newest = 0;
  const stack = SOURCE_DIRS.map((d) => join(REPO_ROOT, d));
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  }
  return newest;
}

/** Tests of the built CLI: a missing or stale build/ would test yesterday's CLI, so fail loudly. */
export function requireFreshBuild(): void {
  const built = statSync(BUILT_MAIN, { throwIfNoEntry: false });
  if (!built) throw new Error(`${BUILT_MAIN} missing: run npm run build`);
  if (built.mtimeMs < newestSource()) throw new Error('build/ is older than the sources: run npm run build');
}
