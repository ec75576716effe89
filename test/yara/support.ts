import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { YaraSource } from '../../detection/yara/index.js';
import { REPO_ROOT, SHARED } from '../support/paths.js';

export const PUBLISHED_MAGGIE_RULE = join(SHARED, 'reference', 'published-rules', 'maggie_dcso.yar');
export const ESPY_RULES_DIR = join(REPO_ROOT, 'rules', 'yara');

/** espy's shipped rules as sources named like the CLI names them (`rules/yara/x.yar`). */
export function espyRuleSources(): YaraSource[] {
  return readdirSync(ESPY_RULES_DIR)
    .filter((f) => f.endsWith('.yar'))
    .sort()
    .map((f) => ({ name: `rules/yara/${f}`, text: readFileSync(join(ESPY_RULES_DIR, f), 'utf8') }));
}

export function publishedRuleSource(): YaraSource {
  return { name: PUBLISHED_MAGGIE_RULE, text: readFileSync(PUBLISHED_MAGGIE_RULE, 'utf8') };
}
