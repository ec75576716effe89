/**
 * What an espy bundle looks like, from its names alone: the top-level names the bundle writer
 * creates, and how a stored name (`files/C/Windows/x`) maps back to the host's path. Whether
 * a folder or zip is a bundle is decided from these names, never from a manifest.json alone:
 * a manifest can be planted at the root of any image.
 */
import type { EvidenceKind } from '../detection/evidence.js';
import { formatWindowsPath } from './win-path.js';

/**
 * Every top-level name `collect` writes into a bundle: the copied files (`files/<drive>/...`),
 * the SQL exports (`sql/...`), and its own records. A bundle holds nothing else.
 */
export const BUNDLE_TOP_NAMES: ReadonlySet<string> = new Set(['files', 'sql', 'manifest.json', 'collection.log', 'sysinfo.json', 'analysis.json', 'report.html']);

/** Entries that describe the collection rather than the host: never analysed as evidence. */
export const BUNDLE_RECORD_NAMES: ReadonlySet<string> = new Set(['manifest.json', 'collection.log', 'analysis.json', 'report.html']);

/** First segment of a `/`- or `\`-separated name. */
export function topName(name: string): string {
  return name.split(/[\\/]/)[0] ?? name;
}

/** A name below `files/` that only espy's writer makes: one drive letter (`files/C/...`). */
export const STORED_DRIVE_RE = /^files\/[A-Za-z]\//;

/**
 * True when a tree is an espy bundle: files stored as espy stores them (`files/<drive>/...`,
 * `hasStoredDrive`) beside one of espy's own records (manifest.json, collection.log,
 * sysinfo.json, ...), or a manifest.json with nothing beside it but the names the bundle
 * writer creates. A manifest.json beside `Windows`, `Program Files`, a KAPE drive letter or
 * Velociraptor's `uploads` makes nothing a bundle; a `files/C/...` tree with no espy record
 * is read as the KAPE-style tree it then is. Names the writer never creates beside an espy
 * bundle keep it a bundle: every entry is read, and the manifest check reports them as extra.
 */
export function isBundleLayout(topNames: Iterable<string>, hasStoredDrive: boolean): boolean {
  const names = [...topNames];
  if (hasStoredDrive && names.some((n) => n !== 'files' && n !== 'sql' && BUNDLE_TOP_NAMES.has(n))) return true;
  return names.includes('manifest.json') && names.every((n) => BUNDLE_TOP_NAMES.has(n));
}

/** The kind of an entry, from its stored name (what the content is, not what a manifest says). */
export function kindFromName(stored: string): EvidenceKind {
  const n = stored.toLowerCase();
  if (n.endsWith('.evtx')) return 'evtx';
  if (/\/errorlog(\.\d+)?$/.test(n)) return 'errorlog';
  if (n.endsWith('.trc')) return 'trace';
  if (n.startsWith('sql/')) return 'sql-export';
  if (n === 'sysinfo.json') return 'sysinfo';
  if (n.endsWith('.dll')) return 'dll';
  return 'other';
}

/** `files/C/Windows/x` → `C:\Windows\x` (undoing the `%XX` escapes of storedPathFor). */
export function originalFromStored(stored: string): string | undefined {
  const m = /^files\/([A-Za-z])\/(.+)$/.exec(stored);
  if (!m) return undefined;
  const segs = (m[2] ?? '').split('/').map((s) => s.replace(/%(25|2F|5C|00)/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))));
  return formatWindowsPath(m[1] ?? 'C', segs);
}
