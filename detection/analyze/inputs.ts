import type { EventJson, EventOrigin, EventSummary } from '../../parsers/common/event.js';
import type { ArtefactError, ArtefactKind, EspFile, EvidenceRef, Severity, SqlInstance } from '../analysis-result.js';
import type { CollectionGap, EvidenceIntegrity, HostFacts } from '../evidence.js';

/**
 * What the pure part of the analysis works on: already-parsed evidence. `analyze()` builds
 * it from an `EvidenceSet`; tests build it directly.
 */

/** An event (EVTX record or ERRORLOG entry) with where it came from. */
export interface SourcedEvent {
  event: EventJson;
  summary: EventSummary;
  origin: EventOrigin;
  /** Original path of the artefact on the host. */
  artefact: string;
  storedPath?: string;
  kind: ArtefactKind;
  /** ERRORLOG: the server's local time as written. */
  localTime?: string;
  /** Rendered one-line message (MSSQL template, or a summary of EventData). */
  message: string;
}

/** A rule (Sigma) hit on one event. */
export interface RuleHit {
  ruleId: string;
  title: string;
  level: Severity;
  tags: string[];
  description: string;
  falsepositives: string[];
  /** The event that matched (for correlations: the last event of the group). */
  event: SourcedEvent;
  /** Correlation rules: every event of the group. */
  related?: SourcedEvent[];
  /** Event fields the rule's detection reads: their values decide the evidence. */
  fields?: readonly string[];
}

/** Matches of a rule past MAX_HITS_PER_RULE (flood.ts): how many, and when. */
export interface HitOverflow {
  count: number;
  first?: string;
  last?: string;
}

/** What the analysis did not follow of a flood (flood.ts), each part with its first instance. */
export interface EvidenceFlood {
  /** References to DLLs past MAX_NAMED_DLLS. */
  names?: { refused: number; firstDll: string; firstRef: EvidenceRef };
  /** Rows of the registered-ESP export past MAX_ESP_EXPORT_ROWS. */
  exportRows?: { past: number; firstRef: EvidenceRef };
}

export interface SqlEspRow {
  name: string;
  dllName: string;
  createDate?: string;
  modifyDate?: string;
  isMsShipped?: boolean;
  file: string;
  line?: number;
}

export interface SqlPrincipalRow {
  name: string;
  typeDesc: string;
  createDate?: string;
  modifyDate?: string;
  isDisabled?: boolean;
  file: string;
  line?: number;
}

export interface SqlRoleMemberRow {
  roleName: string;
  memberName: string;
  memberTypeDesc?: string;
  file: string;
  line?: number;
}

export interface SqlConfigRow {
  name: string;
  value: string;
  valueInUse: string;
  file: string;
  line?: number;
}

/** The server's own lists (SQL exports); dates are the server's local time as exported. */
export interface SqlFacts {
  files: string[];
  esps: SqlEspRow[] | undefined;
  /** Rows of the registered-ESP export past MAX_ESP_EXPORT_ROWS in their file: counted, the first kept as the example. */
  espsNotKept?: { count: number; first: SqlEspRow };
  principals: SqlPrincipalRow[] | undefined;
  roleMembers: SqlRoleMemberRow[] | undefined;
  configurations: SqlConfigRow[] | undefined;
  serverName?: string;
  productVersion?: string;
  /** Minutes to add to UTC to get server local time (from the export or the ERRORLOG banner). */
  utcOffsetMinutes?: number;
  errors: ArtefactError[];
}

/** A DLL file espy looked at (named by the evidence or found by the sweep). */
export interface DllFacts {
  /** Original Windows path. */
  path: string;
  storedPath?: string;
  file: EspFile;
  /** Classification verdict from the PE/ESP/YARA code. */
  suspicion: 'malicious' | 'suspicious' | 'benign' | 'unknown';
  reasons: string[];
  /** Why espy looked at it: named by evidence, or found by the sweep. */
  foundBy: 'named' | 'sweep' | 'binn';
}

/** Per-artefact parse statistics for the coverage table. */
export interface ArtefactStats {
  artefact: string;
  kind: ArtefactKind;
  /** Channel (EVTX) or instance (ERRORLOG). */
  label: string;
  records: number;
  failed: number;
  recovered: number;
  first?: string;
  last?: string;
  notes: string[];
  /** Distinct (provider, EventID) pairs seen, to tell e.g. "no 4688 events". */
  eventIds: Set<number>;
}

export interface AnalysisInputs {
  hostName: string;
  hostInfo?: HostFacts;
  sqlInstances: SqlInstance[];
  /** Events worth keeping: rule hits and ESP-related events (not every event). */
  events: SourcedEvent[];
  hits: RuleHit[];
  /** Matches counted, not kept, per rule (flood.ts). */
  hitOverflow?: ReadonlyMap<string, HitOverflow>;
  /** What the analysis did not follow of a flood, when the evidence held one. */
  flood?: EvidenceFlood;
  sql: SqlFacts | undefined;
  dlls: DllFacts[];
  /** DLL paths the evidence named that are not in the source. */
  missingDlls: { path: string; namedBy: SourcedEvent | undefined; namedByText: string }[];
  stats: ArtefactStats[];
  errors: ArtefactError[];
  baseline?: Baseline;
  /** The evidence's own claims (manifest, sidecar) against its content, when it makes any. */
  integrity?: EvidenceIntegrity;
  /** How many artefacts the evidence holds (all of them were analysed). */
  artefactCount?: number;
  /** What the collection could not read (files, folders, budgets). */
  collectionGaps?: CollectionGap[];
}

/** A known-good ESP inventory (`espy baseline create`). */
export interface Baseline {
  schema: 'espy-baseline/1';
  createdAt: string;
  host: string;
  esps: { procedure: string; dll: string; sha256?: string }[];
}
