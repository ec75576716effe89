/**
 * `EvidenceSet` over an espy bundle, zipped or extracted. Artefacts come from the manifest
 * (original paths, hashes, times); without a valid manifest, from `files/<drive>/...` names.
 * Entries are inflated into memory on open (bounded); nothing is written to disk, so a
 * crafted `../` entry can never land outside any folder.
 */
import type { EvidenceArtefact, EvidenceKind, EvidenceSet } from '../detection/evidence.js';
import { memorySource } from '../parsers/common/byte-source.js';
import type { BundleReader } from './bundle-reader.js';
import { summarizeManifest, type Manifest, type ManifestSummary } from './manifest.js';
import { listedEvidenceSet, type ListedArtefact } from './memory-evidence.js';
import { openMaybeSealedBundle, type OpenMaybeSealedOptions } from './seal/open.js';
import { formatWindowsPath } from './win-path.js';

/** An artefact is inflated into memory to be read; this bounds it. */
export const MAX_ARTEFACT_BYTES = 2 * 1024 * 1024 * 1024 - 1;

export interface BundleEvidence extends EvidenceSet {
  readonly manifest: Manifest | undefined;
  readonly manifestError: string | undefined;
  /** Summary for `AnalysisResult.collection`. */
  readonly manifestSummary: ManifestSummary | undefined;
  /** Unsafe names refused while reading the zip. */
  readonly refused: { name: string; reason: string }[];
  collectionLog(): Promise<string[]>;
  close(): Promise<void>;
}

function kindFromName(stored: string): EvidenceKind {
  const n = stored.toLowerCase();
  if (n.endsWith('.evtx')) return 'evtx';
  if (/\/errorlog(\.\d+)?$/.test(n)) return 'errorlog';
  if (n.endsWith('.trc')) return 'trace';
  if (n.startsWith('sql/')) return 'sql-export';
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

function artefactsOf(b: BundleReader): EvidenceArtefact[] {
  const out: EvidenceArtefact[] = [];
  if (b.manifest) {
    for (const f of b.manifest.files) {
      if (!f.storedPath || !b.entries.has(f.storedPath)) continue;
      const a: EvidenceArtefact = { originalPath: f.originalPath, storedPath: f.storedPath, kind: f.kind, size: f.size };
      if (f.sha256) a.sha256 = f.sha256;
      if (f.created) a.created = f.created;
      if (f.modified) a.modified = f.modified;
      out.push(a);
    }
    if (b.entries.has('sysinfo.json')) out.push({ originalPath: 'sysinfo.json', storedPath: 'sysinfo.json', kind: 'sysinfo', size: b.entries.get('sysinfo.json')?.size ?? 0 });
    return out;
  }
  for (const e of b.entries.values()) {
    const original = originalFromStored(e.name);
    if (original) out.push({ originalPath: original, storedPath: e.name, kind: kindFromName(e.name), size: e.size });
    else if (e.name.startsWith('sql/')) out.push({ originalPath: e.name, storedPath: e.name, kind: 'sql-export', size: e.size });
    else if (e.name === 'sysinfo.json') out.push({ originalPath: e.name, storedPath: e.name, kind: 'sysinfo', size: e.size });
  }
  return out;
}

export async function openBundleEvidence(path: string, opts: OpenMaybeSealedOptions = {}): Promise<BundleEvidence> {
  const b = await openMaybeSealedBundle(path, opts);
  const items: ListedArtefact[] = artefactsOf(b).map((artefact) => ({
    artefact,
    open: async () => memorySource(await b.readBytes(artefact.storedPath as string, MAX_ARTEFACT_BYTES)),
  }));
  const hostInfo = async (): Promise<Record<string, unknown> | undefined> => {
    const info: Record<string, unknown> = {};
    if (b.entries.has('sysinfo.json')) {
      try {
        const s = JSON.parse(new TextDecoder().decode(await b.readBytes('sysinfo.json', 64 * 1024 * 1024))) as unknown;
        if (s && typeof s === 'object' && !Array.isArray(s)) Object.assign(info, s);
      } catch {
        // An unreadable sysinfo.json is not fatal: the manifest still names the host.
      }
    }
    if (b.manifest) {
      info['hostname'] ??= b.manifest.host;
      info['collectedBy'] ??= b.manifest.collectedBy;
      info['collectedAt'] ??= b.manifest.startedAt;
    }
    return Object.keys(info).length > 0 ? info : undefined;
  };
  const base = listedEvidenceSet('bundle', b.path, items, hostInfo);
  return {
    ...base,
    kind: 'bundle',
    location: b.path,
    manifest: b.manifest,
    manifestError: b.manifestError,
    manifestSummary: b.manifest ? summarizeManifest(b.manifest) : undefined,
    refused: b.refused,
    async collectionLog() {
      if (!b.entries.has('collection.log')) return [];
      return new TextDecoder().decode(await b.readBytes('collection.log', 256 * 1024 * 1024)).split('\n').filter((l) => l !== '');
    },
    close: () => b.close(),
  };
}
