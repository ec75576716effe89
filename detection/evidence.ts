import type { ByteSource } from '../parsers/common/byte-source.js';

/**
 * How detection reads evidence without knowing where it lives (STYLE §2): the collector
 * implements this for folders laid out like a system drive, extracted or zipped bundles,
 * and live hosts.
 */
export type EvidenceKind = 'evtx' | 'errorlog' | 'sql-export' | 'dll' | 'sysinfo' | 'trace' | 'other';

export interface EvidenceArtefact {
  /** Original path on the suspect host, Windows form: `C:\Windows\System32\winevt\Logs\Application.evtx`. */
  originalPath: string;
  /** Path inside the bundle, when read from one (`files/C/Windows/...`). */
  storedPath?: string;
  kind: EvidenceKind;
  size: number;
  /** SHA-256 when already known (manifest); detection computes it otherwise when needed. */
  sha256?: string;
  created?: string;
  modified?: string;
}

export interface EvidenceSet {
  /** What the evidence is: a bundle, a folder (image, KAPE, samples), a live host. */
  readonly kind: 'bundle' | 'folder' | 'live';
  /** Path the user gave. */
  readonly location: string;
  /** Every artefact found, with its original path. */
  list(): Promise<EvidenceArtefact[]>;
  /** Opens one artefact for reading. */
  open(artefact: EvidenceArtefact): Promise<ByteSource & { close?(): Promise<void> }>;
  /**
   * Looks up a file by its original Windows path (case-insensitive), e.g. a DLL named by an
   * 8128 event. Undefined when the evidence does not hold it.
   */
  lookup(originalPath: string): Promise<EvidenceArtefact | undefined>;
  /** Host facts known to the source (bundle sysinfo.json, live snapshot). */
  hostInfo(): Promise<Record<string, unknown> | undefined>;
}
