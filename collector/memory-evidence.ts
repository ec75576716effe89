/**
 * An `EvidenceSet` over a list of artefacts that each know how to open themselves: what a
 * collection just gathered, or what a folder source would give (see plan.ts).
 */
import type { CollectionGap, EvidenceArtefact, EvidenceSet, HostFacts } from '../detection/evidence.js';
import type { ByteSource } from '../parsers/common/byte-source.js';
import type { FsFile, FsView } from './fs-view.js';
import { windowsPathKey } from './win-path.js';

export type OpenedArtefact = ByteSource & { close?(): Promise<void> };

export interface ListedArtefact {
  artefact: EvidenceArtefact;
  open(): Promise<OpenedArtefact>;
}

export function fsFileSource(f: FsFile): OpenedArtefact {
  return { size: f.size, read: (o, n) => f.read(o, n), close: () => f.close() };
}

/** Opens a file of a view as a ByteSource; throws an Error with the view's message. */
export async function openFromView(view: FsView, path: readonly string[]): Promise<OpenedArtefact> {
  const r = await view.open(path);
  if (!r.ok) throw new Error(r.message);
  return fsFileSource(r.value);
}

export function listedEvidenceSet(
  kind: EvidenceSet['kind'],
  location: string,
  items: readonly ListedArtefact[],
  host: () => Promise<HostFacts | undefined>,
  gaps?: readonly CollectionGap[],
): EvidenceSet {
  const byArtefact = new Map<EvidenceArtefact, ListedArtefact>(items.map((i) => [i.artefact, i]));
  const byPath = new Map<string, ListedArtefact>();
  for (const i of items) if (!byPath.has(windowsPathKey(i.artefact.originalPath))) byPath.set(windowsPathKey(i.artefact.originalPath), i);
  return {
    kind,
    location,
    list: () => Promise.resolve(items.map((i) => i.artefact)),
    open(a) {
      const hit = byArtefact.get(a) ?? byPath.get(windowsPathKey(a.originalPath));
      if (!hit) return Promise.reject(new Error(`not in this evidence: ${a.originalPath}`));
      return hit.open();
    },
    lookup: (p) => Promise.resolve(byPath.get(windowsPathKey(p))?.artefact),
    hostInfo: host,
    ...(gaps ? { collectionGaps: () => Promise.resolve([...gaps]) } : {}),
  };
}
