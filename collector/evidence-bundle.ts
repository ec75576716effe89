/**
 * `EvidenceSet` over an espy bundle, zipped or extracted. Artefacts are every entry that is
 * there, named from its stored path (`files/<drive>/...`, `sql/...`); the manifest is a claim
 * checked against them (see bundle-integrity.ts), never a filter. A manifest row adds its
 * file-system times and original path only when it agrees with the entry's content.
 * Entries are read as they inflate, each read bounded (zip-entry-source.ts); nothing is
 * written to disk, so a crafted `../` entry can never land outside any folder.
 */
import { readHostFacts, type EvidenceArtefact, type EvidenceIntegrity, type EvidenceSet, type HostFacts } from '../detection/evidence.js';
import { agreeingEntries, checkBundle } from './bundle-integrity.js';
import { BUNDLE_RECORD_NAMES, kindFromName, originalFromStored } from './bundle-layout.js';
import type { BundleReader } from './bundle-reader.js';
import { summarizeManifest, type Manifest, type ManifestFile, type ManifestSummary } from './manifest.js';
import { listedEvidenceSet, type ListedArtefact } from './memory-evidence.js';
import { NOT_IN_SOURCE } from './plan/index.js';
import { openMaybeSealedBundle, type OpenMaybeSealedOptions } from './seal/open.js';

export { originalFromStored } from './bundle-layout.js';

/** sysinfo.json is a few kilobytes; a larger one is not read. */
export const MAX_SYSINFO_BYTES = 1024 * 1024;
/** The head of collection.log that is read (for the report). */
export const MAX_COLLECTION_LOG_BYTES = 4 * 1024 * 1024;

export interface BundleEvidence extends EvidenceSet {
  readonly manifest: Manifest | undefined;
  readonly manifestError: string | undefined;
  /** Summary for `AnalysisResult.collection`. */
  readonly manifestSummary: ManifestSummary | undefined;
  /** Unsafe names refused while reading the zip. */
  readonly refused: { name: string; reason: string }[];
  /** The manifest and sidecar against the content. */
  integrity(): Promise<EvidenceIntegrity>;
  collectionLog(): Promise<string[]>;
  close(): Promise<void>;
}

/** Every entry but the bundle's own records, as an artefact; agreeing manifest rows add their facts. */
function artefactsOf(b: BundleReader, rows: ReadonlyMap<string, ManifestFile>): EvidenceArtefact[] {
  const out: EvidenceArtefact[] = [];
  for (const e of b.entries.values()) {
    if (BUNDLE_RECORD_NAMES.has(e.name)) continue;
    const a: EvidenceArtefact = { originalPath: originalFromStored(e.name) ?? e.name, storedPath: e.name, kind: kindFromName(e.name), size: e.size };
    const row = rows.get(e.name);
    if (row) {
      // Only the kind a name cannot tell (a DLL without `.dll`), never one that hides a log.
      if (a.kind === 'other') a.kind = row.kind;
      if (!originalFromStored(e.name)) a.originalPath = row.originalPath;
      if (row.sha256) a.sha256 = row.sha256;
      if (row.created) a.created = row.created;
      if (row.modified) a.modified = row.modified;
    }
    out.push(a);
  }
  return out.sort((x, y) => (x.storedPath ?? '').localeCompare(y.storedPath ?? ''));
}

/**
 * The bundle at `path` as evidence. `opened`: the bundle already opened by the caller (with
 * the same options), taken over and closed with the evidence, so that a zip of many entries
 * (or a sealed bundle, authenticated whole when opened) is not opened twice.
 */
export async function openBundleEvidence(path: string, opts: OpenMaybeSealedOptions = {}, opened?: BundleReader): Promise<BundleEvidence> {
  const b = opened ?? (await openMaybeSealedBundle(path, opts));
  // The check reads every entry: done once, on first use, so that `analyze` can time it.
  let ready: Promise<{ integrity: EvidenceIntegrity; set: EvidenceSet }> | undefined;
  const prepare = (): Promise<{ integrity: EvidenceIntegrity; set: EvidenceSet }> =>
    (ready ??= (async () => {
      const integrity = await checkBundle(b.path, {
        ...(opts.password ? { password: opts.password } : {}),
        ...(opts.identities ? { identities: opts.identities } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        manifest: b.manifest,
        manifestError: b.manifestError,
        hasManifest: b.entries.has('manifest.json'),
      });
      const agreeing = agreeingEntries(b.manifest, integrity);
      const rows = new Map<string, ManifestFile>();
      for (const f of b.manifest?.files ?? []) if (f.storedPath && agreeing.has(f.storedPath)) rows.set(f.storedPath, f);
      const items: ListedArtefact[] = artefactsOf(b, rows).map((artefact) => ({
        artefact,
        open: () => b.source(artefact.storedPath as string),
      }));
      return { integrity, set: listedEvidenceSet('bundle', b.path, items, hostInfo) };
    })());
  const hostInfo = async (): Promise<HostFacts | undefined> => {
    const info: Record<string, unknown> = {};
    if (b.entries.has('sysinfo.json')) {
      try {
        const s = JSON.parse(new TextDecoder().decode(await b.readBytes('sysinfo.json', MAX_SYSINFO_BYTES))) as unknown;
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
    return readHostFacts(info);
  };
  const set = async (): Promise<EvidenceSet> => (await prepare()).set;
  return {
    list: async () => (await set()).list(),
    // Every row taken at its word: the artefacts the logs can be scanned from while the check runs.
    listClaimed: () => {
      const rows = new Map<string, ManifestFile>();
      for (const f of b.manifest?.files ?? []) if (f.storedPath) rows.set(f.storedPath, f);
      return Promise.resolve(artefactsOf(b, rows));
    },
    // An entry is opened by its stored name, whether the check has run or not.
    open: async (a) => (a.storedPath !== undefined && b.entries.has(a.storedPath) ? b.source(a.storedPath) : (await set()).open(a)),
    lookup: async (p) => (await set()).lookup(p),
    hostInfo,
    kind: 'bundle',
    location: b.path,
    manifest: b.manifest,
    manifestError: b.manifestError,
    manifestSummary: b.manifest ? summarizeManifest(b.manifest) : undefined,
    refused: b.refused,
    integrity: async () => (await prepare()).integrity,
    // The manifest's failure rows: what the collection says it could not read (coverage only).
    collectionGaps: () =>
      Promise.resolve((b.manifest?.files ?? []).filter((f) => f.error !== undefined && f.error !== NOT_IN_SOURCE).map((f) => ({ path: f.originalPath, reason: f.error ?? '', claimed: true }))),
    async collectionLog() {
      if (!b.entries.has('collection.log')) return [];
      // Only the head: the report shows the first lines, and a bomb of a log costs nothing.
      const src = await b.source('collection.log');
      try {
        const head = await src.read(0, Math.min(src.size, MAX_COLLECTION_LOG_BYTES));
        const lines = new TextDecoder()
          .decode(head)
          .split('\n')
          .filter((l) => l !== '');
        if (src.size > MAX_COLLECTION_LOG_BYTES) lines.push(`(collection.log continues: only its first ${MAX_COLLECTION_LOG_BYTES} of ${src.size} bytes are shown)`);
        return lines;
      } finally {
        await src.close();
      }
    },
    close: () => b.close(),
  };
}
