import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root. */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
/** ../shared beside the checkout (read-only in CI: never write there). */
export const SHARED = resolve(REPO_ROOT, '..', 'shared');
export const CORPUS = join(SHARED, 'corpus');
export const SAMPLES = join(REPO_ROOT, 'samples');

/** Corpus tests fail loudly in CI when the corpus is missing. */
export function requireCorpus(sub: string): string {
  const dir = join(CORPUS, sub);
  if (!existsSync(dir)) {
    throw new Error(`corpus folder missing: ${dir} (tests read ../shared/corpus beside the checkout)`);
  }
  return dir;
}
