import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve, sep, win32 } from 'node:path';
import { listAssets, readAssetText } from './assets.js';
import { UsageError } from './exit-codes.js';

/** Read-only helpers of `espy scan`: walking inputs, original Windows paths, YARA rule files. */

export const MAX_SCAN_WALK_DEPTH = 32;
/** Rule files larger than this are refused by name. */
export const MAX_YARA_RULE_FILE_BYTES = 4 * 1024 * 1024;
export const YARA_RULE_EXTS = ['.yar', '.yara'];
/** Top-level folders that identify the root of a Windows system drive laid out as a folder. */
const DRIVE_MARKERS = ['windows', 'program files', 'program files (x86)', 'programdata', 'users'];

export interface WalkResult {
  files: string[];
  /** Entries that could not be read (path: reason). */
  skipped: { path: string; reason: string }[];
}

/** Files under the inputs (sorted, regular files only, symlinks never followed). */
export async function walkInputs(inputs: readonly string[]): Promise<WalkResult> {
  const out: WalkResult = { files: [], skipped: [] };
  const seen = new Set<string>();
  const visit = async (p: string, depth: number): Promise<void> => {
    let st;
    try {
      st = await lstat(p);
    } catch (e) {
      out.skipped.push({ path: p, reason: (e as Error).message });
      return;
    }
    if (st.isSymbolicLink()) return; // never follow links out of the tree
    if (st.isDirectory()) {
      if (depth >= MAX_SCAN_WALK_DEPTH) {
        out.skipped.push({ path: p, reason: `deeper than ${MAX_SCAN_WALK_DEPTH} folders` });
        return;
      }
      let names: string[];
      try {
        names = (await readdir(p)).sort();
      } catch (e) {
        out.skipped.push({ path: p, reason: (e as Error).message });
        return;
      }
      for (const n of names) await visit(join(p, n), depth + 1);
    } else if (st.isFile() && !seen.has(p)) {
      seen.add(p);
      out.files.push(p);
    }
  };
  for (const i of inputs) await visit(i, 0);
  return out;
}

async function isDir(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * The folder that stands for `C:\` for a local path: the nearest ancestor (or the path
 * itself) holding a `Windows`, `Program Files`, `ProgramData` or `Users` folder.
 */
export async function findDriveRoot(localPath: string): Promise<string | undefined> {
  let dir = (await isDir(localPath)) ? localPath : dirname(localPath);
  for (let i = 0; i < 64; i++) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const n of names) if (DRIVE_MARKERS.includes(n.toLowerCase()) && (await isDir(join(dir, n)))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/**
 * The original Windows path of a local file: as is on Windows, `C:\` + its path below the
 * drive root for a folder laid out like a system drive, otherwise undefined.
 */
export function originalWindowsPath(localPath: string, driveRoot: string | undefined, platform: string): string | undefined {
  if (platform === 'win32' && win32.isAbsolute(localPath)) return localPath;
  if (!driveRoot) return undefined;
  const rel = relative(driveRoot, localPath);
  if (rel.startsWith('..')) return undefined;
  return `C:\\${rel.split(sep).join('\\')}`;
}

/** MD5/SHA-1/SHA-256 of a file, streamed (files too large to classify in memory). */
export async function hashFile(path: string, signal?: AbortSignal): Promise<{ md5: string; sha1: string; sha256: string }> {
  const h = [createHash('md5'), createHash('sha1'), createHash('sha256')] as const;
  // An aborted signal ends the read with an AbortError: Ctrl-C part-way through a large file.
  for await (const chunk of createReadStream(path, signal ? { signal } : {})) for (const x of h) x.update(chunk as Buffer);
  return { md5: h[0].digest('hex'), sha1: h[1].digest('hex'), sha256: h[2].digest('hex') };
}

export interface RuleText {
  name: string;
  text: string;
}

/** espy's shipped YARA rules (`rules/yara/*.yar`), named by their asset key. */
export function shippedYaraRules(): RuleText[] {
  return listAssets('rules/yara/')
    .filter((k) => YARA_RULE_EXTS.includes(extname(k).toLowerCase()))
    .map((k) => ({ name: k, text: readAssetText(k) }));
}

/** --yara FILE|DIR: a file is taken whatever its extension; a folder gives its .yar/.yara files. */
export async function readYaraRuleFiles(paths: readonly string[], cwd: string): Promise<RuleText[]> {
  const out: RuleText[] = [];
  for (const given of paths) {
    const p = resolve(cwd, given);
    const st = await lstat(p).catch(() => undefined);
    if (!st) throw new UsageError(`scan: --yara ${given}: no such file or folder`);
    const files = st.isDirectory() ? (await walkInputs([p])).files.filter((f) => YARA_RULE_EXTS.includes(extname(f).toLowerCase())) : [p];
    if (st.isDirectory() && files.length === 0) throw new UsageError(`scan: --yara ${given}: no .yar/.yara files in that folder`);
    for (const f of files) {
      const fst = await lstat(f);
      if (fst.size > MAX_YARA_RULE_FILE_BYTES) throw new UsageError(`scan: rule file too large (${fst.size} bytes > ${MAX_YARA_RULE_FILE_BYTES}): ${f}`);
      out.push({ name: relative(cwd, f) || f, text: await readFile(f, 'utf8') });
    }
  }
  return out;
}
