import type { ByteSource } from '../parsers/common/byte-source.js';
import type { ArtefactError, ArtefactErrorCode } from './analysis-result.js';

/**
 * How detection reads evidence without knowing where it lives (detection never imports the
 * collector): the collector implements this for folders laid out like a system drive,
 * extracted or zipped bundles, and live hosts.
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
  /** Host facts known to the source (bundle sysinfo.json and manifest, live snapshot). */
  hostInfo(): Promise<HostFacts | undefined>;
  /**
   * What the evidence claims about itself (a bundle's manifest and `.sha256` sidecar, a
   * manifest.json found in a folder that is no bundle) against what is there. Absent or
   * undefined when the evidence makes no such claim.
   */
  integrity?(): Promise<EvidenceIntegrity | undefined>;
  /**
   * The artefacts as the evidence claims them before `integrity` has checked the claims (a
   * bundle's manifest rows taken at their word): the logs can be scanned from these while the
   * check reads the evidence. Absent when `list` does not wait for a check.
   */
  listClaimed?(): Promise<EvidenceArtefact[]>;
  /**
   * What the collection that made this evidence could not read (a file that failed, an
   * unreadable folder, a walk or sweep budget reached): listed in the coverage, so that an
   * absence there is never read as a clean result.
   */
  collectionGaps?(): Promise<CollectionGap[]>;
}

/** An evidence set could not open an artefact for a reason the caller may act on (its code). */
export class EvidenceReadError extends Error {
  override readonly name = 'EvidenceReadError';
  readonly code: ArtefactErrorCode;
  constructor(code: ArtefactErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The error entry for an artefact that failed with `e`: `prefix` and the error's message, and its code when it has one. */
export function artefactError(artefact: string, prefix: string, e: unknown): ArtefactError {
  const message = `${prefix}${e instanceof Error ? e.message : String(e)}`;
  return e instanceof EvidenceReadError ? { artefact, message, code: e.code } : { artefact, message };
}

/**
 * What the evidence says about its host and its collection. Every field is the evidence's own
 * claim (a bundle's sysinfo.json can be forged): shown as such, never trusted for a verdict.
 */
export interface HostFacts {
  hostname?: string;
  os?: string;
  domain?: string;
  timeZone?: string;
  /** Who collected, as `user@host (platform)`. */
  collectedBy?: string;
  /** When the collection started (UTC ISO-8601). */
  collectedAt?: string;
}

/** Longest host fact kept: a forged sysinfo.json may hold megabytes in one field. */
export const MAX_HOST_FACT_CHARS = 1024;

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v.slice(0, MAX_HOST_FACT_CHARS) : undefined;
}

/** `{hostname, platform, user}` (a manifest's or sysinfo's `collectedBy`) or a string → `user@host (platform)`. */
function describeCollector(v: unknown): string | undefined {
  if (typeof v === 'string') return text(v);
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const host = text(o['hostname']);
  if (!host) return undefined;
  const user = text(o['user']);
  const platform = text(o['platform']);
  return `${user ? `${user}@` : ''}${host}${platform ? ` (${platform})` : ''}`;
}

/**
 * The host facts in a JSON object of any shape (sysinfo.json, a live snapshot, a manifest's
 * fields): the known fields that are strings, each cut to MAX_HOST_FACT_CHARS; the rest is
 * ignored. Undefined when none is there.
 */
export function readHostFacts(raw: unknown): HostFacts | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const o = raw as Record<string, unknown>;
  const facts: HostFacts = {};
  const hostname = text(o['hostname']) ?? text(o['host']);
  if (hostname) facts.hostname = hostname;
  for (const k of ['os', 'domain', 'timeZone', 'collectedAt'] as const) {
    const v = text(o[k]);
    if (v) facts[k] = v;
  }
  const by = describeCollector(o['collectedBy']);
  if (by) facts.collectedBy = by;
  return Object.keys(facts).length > 0 ? facts : undefined;
}

export interface CollectionGap {
  /** Original Windows path (a file or a folder). */
  path: string;
  reason: string;
  /**
   * Only claimed (a bundle's manifest, which an attacker can forge): shown in the coverage,
   * never used to explain away a missing file.
   */
  claimed?: boolean;
}

/** One entry where a manifest and the content disagree. */
export interface ManifestDisagreement {
  /** Entry name in the bundle (`files/C/...`), or the artefact's path. */
  name: string;
  problem: 'missing' | 'extra' | 'altered' | 'unreadable' | 'refused' | 'encrypted';
  detail: string;
}

/**
 * A manifest compared with the content. The manifest is a claim, never a filter: analysis
 * reads every file that is there, and a disagreement is reported as a finding.
 */
export interface EvidenceIntegrity {
  /**
   * `agrees`/`disagrees`: an espy bundle checked entry by entry; `missing`/`invalid`: a bundle
   * without a readable espy manifest; `ignored`: a manifest.json in a folder that is not a
   * bundle (an image or collection tree), which was analysed as such.
   */
  manifest: 'agrees' | 'disagrees' | 'missing' | 'invalid' | 'ignored';
  /** Where the manifest is (entry name or path). */
  manifestPath?: string;
  manifestError?: string;
  /** The start of an ignored manifest's text (attacker-controlled: quoted, never parsed further). */
  excerpt?: string;
  /** Files an ignored manifest lists (undefined when it lists none in a readable form). */
  claimedFiles?: number;
  /** Entries whose hash was recomputed against the manifest. */
  checked: number;
  /** Disagreeing entries, at most a few hundred; `disagreementCount` has them all. */
  disagreements: ManifestDisagreement[];
  disagreementCount: number;
  /** A zipped bundle: SHA-256 computed from the zip's bytes while opening it. */
  bundleSha256?: string;
  /** The `<bundle>.sha256` sidecar against the computed hash. */
  sidecar?: 'ok' | 'mismatch' | 'missing';
  sidecarSha256?: string;
}
