import { lstat, readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { listAssets, readAssetText } from './assets.js';
import { UsageError } from './exit-codes.js';

/** A rule file's text and the name errors and hits use for it. */
export interface TextFile {
  path: string;
  text: string;
}

/** Rule files users pass are small; anything larger is refused by name. */
export const MAX_USER_RULE_FILE_BYTES = 4 * 1024 * 1024;
const MAX_RULE_FILES = 20_000;

/**
 * Reads rule files given as files or folders (walked, symlinks not followed), keeping the
 * given extensions. A missing path is a usage error.
 */
export async function readRuleFiles(paths: readonly string[], exts: readonly string[]): Promise<TextFile[]> {
  const out: TextFile[] = [];
  const walk = async (p: string, depth: number, explicit: boolean): Promise<void> => {
    const st = await lstat(p).catch(() => undefined);
    if (!st) {
      if (explicit) throw new UsageError(`rule path not found: ${p}`);
      return;
    }
    if (st.isDirectory()) {
      if (depth > 16) return;
      for (const name of (await readdir(p)).sort()) await walk(join(p, name), depth + 1, false);
      return;
    }
    if (!st.isFile()) return;
    if (!explicit && !exts.includes(extname(p).toLowerCase())) return;
    if (out.length >= MAX_RULE_FILES) throw new UsageError(`more than ${MAX_RULE_FILES} rule files under ${paths.join(', ')}`);
    if (st.size > MAX_USER_RULE_FILE_BYTES) throw new UsageError(`rule file too large (${st.size} bytes): ${p}`);
    out.push({ path: p, text: await readFile(p, 'utf8') });
  };
  for (const p of paths) await walk(p, 0, true);
  return out;
}

/** espy's shipped rule files under an asset folder (`rules/sigma/`), by extension. */
export function shippedRuleFiles(prefix: string, exts: readonly string[]): TextFile[] {
  return listAssets(prefix)
    .filter((k) => exts.includes(extname(k).toLowerCase()))
    .map((k) => ({ path: k, text: readAssetText(k) }));
}

export const SIGMA_EXTS = ['.yml', '.yaml'] as const;
export const YARA_EXTS = ['.yar', '.yara'] as const;

/** Reads a file the user named (baseline, exports); a missing one is a usage error. */
export async function readUserFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
