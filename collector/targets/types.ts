/**
 * Collection targets as data (the KAPE target idea): a folder pattern below a
 * drive root, a file mask, recursion. Segments of `path` and `fileMask` are case-insensitive
 * globs (`*`, `?`); `''` is the drive root.
 */
import type { EvidenceKind } from '../../detection/evidence.js';

export type TargetCategory = 'eventlog' | 'sqlserver' | 'binn' | 'sweep';

/** What the collector does with a matching file. */
export type TargetAction =
  /** Copy into the bundle. */
  | 'copy'
  /** Hash and classify; copy only with --copy-binn. */
  | 'hash'
  /** Sniff for a PE header, classify (ESP heuristics, YARA); copy only the ones that hit. */
  | 'classify';

export interface Target {
  name: string;
  category: TargetCategory;
  /** Folder below the drive root, backslash-separated, globs per segment. */
  path: string;
  fileMask: string;
  recursive: boolean;
  kind: EvidenceKind;
  action: TargetAction;
  /** Only on this drive (upper-case letter); any drive when absent. */
  drive?: string;
  /** Folder names (globs) never entered below `path` when recursive. */
  excludeDirs?: readonly string[];
}
