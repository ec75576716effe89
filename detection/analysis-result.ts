/**
 * `AnalysisResult`: the versioned, plain-JSON contract between analysis and everything after
 * it (report, exports, collect's summary, fleet view). Report templates import only these
 * types (lint-enforced). Bump `ANALYSIS_SCHEMA_VERSION` on any breaking change.
 */

export const ANALYSIS_SCHEMA_VERSION = 1 as const;

/**
 * Why an artefact could not be read, for a program to act on: `NEEDS_PASSWORD`, an entry of an
 * encrypted bundle opened without its password; `UNSUPPORTED_ENCRYPTION`, a cipher espy cannot
 * read. Absent for the other failures, which the message describes.
 */
export type ArtefactErrorCode = 'NEEDS_PASSWORD' | 'UNSUPPORTED_ENCRYPTION';

/** An artefact that could not be read, or not in full. */
export interface ArtefactError {
  artefact: string;
  message: string;
  code?: ArtefactErrorCode;
}

export const VERDICTS = ['COMPROMISED', 'SUSPICIOUS', 'NO_INDICATORS'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Sigma's levels, most severe first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type ArtefactKind = 'evtx' | 'errorlog' | 'sql-export' | 'pe' | 'sysinfo' | 'manifest' | 'trace' | 'other';

/** Where a piece of evidence is: enough to find it again in the bundle or on the host. */
export interface EvidenceRef {
  /** Original path on the suspect host, e.g. `C:\Windows\System32\winevt\Logs\Application.evtx`. */
  artefact: string;
  /** Path inside the bundle (`files/C/Windows/...`) when it came from one. */
  storedPath?: string;
  kind: ArtefactKind;
  /** EVTX EventRecordID. */
  recordId?: number;
  /** 1-based line (ERRORLOG, SQL export). */
  line?: number;
  /** Byte offset in the artefact. */
  offset?: number;
  /** UTC ISO-8601. */
  timestamp?: string;
  /** A short excerpt of the evidence (attacker-controlled text: escape when rendering). */
  excerpt: string;
  /**
   * The part of the evidence that decides it, never cut to the excerpt's length: the fields
   * the rule matched and what the event did (`CommandLine=...`), the DLL path, the login.
   */
  decisive?: string;
}

export type FindingSource = 'sigma' | 'esp' | 'yara' | 'baseline' | 'correlation' | 'sql' | 'coverage';

export interface Finding {
  /** Unique within this result (e.g. `F001`). */
  id: string;
  /** Rule or heuristic id (Sigma rule id, `esp.outside-binn`, ...). */
  ruleId: string;
  title: string;
  severity: Severity;
  /** ATT&CK technique ids, e.g. `T1505.001`. */
  attack: string[];
  source: FindingSource;
  explanation: string;
  nextSteps: string[];
  evidence: EvidenceRef[];
  /** How many events/items matched (evidence may list only the first few). */
  count: number;
  firstSeen?: string;
  lastSeen?: string;
}

export interface YaraHit {
  rule: string;
  /** Rule file the rule came from (`rules/yara/espy.yar`, a user file). */
  source: string;
  tags: string[];
  strings: { id: string; offset: number }[];
}

export type Suspicion = 'malicious' | 'suspicious' | 'benign' | 'unknown';
export type LocationClass = 'binn' | 'sql-server' | 'outside' | 'unknown';

/** The DLL file behind an ESP, when espy saw it. */
export interface EspFile {
  present: boolean;
  /** Not read because the collection could not read it (permission, I/O): its absence proves nothing. */
  unreadable?: string;
  /** Original path where it was found. */
  path?: string;
  storedPath?: string;
  size?: number;
  md5?: string;
  sha1?: string;
  sha256?: string;
  created?: string;
  modified?: string;
  isPe?: boolean;
  isEsp?: boolean;
  espReasons?: string[];
  exports?: string[];
  signed?: boolean;
  signer?: string;
  /** The Authenticode verdict (detection/esp/signature.ts): only `microsoftSigned` means Microsoft-signed. */
  signature?: EspFileSignature;
  company?: string;
  yara: YaraHit[];
}

export type SignatureStatus = 'valid' | 'untrusted' | 'bad-digest' | 'bad-signature' | 'malformed' | 'unsigned';

export interface EspFileSignature {
  status: SignatureStatus;
  /** Valid, and the chain ends in a shipped Microsoft root. */
  microsoftSigned: boolean;
  /** A signer's O or CN names Microsoft (verified or not). */
  claimsMicrosoft: boolean;
  /** Words for the report ("untrusted self-signed certificate claiming Microsoft Corporation"). */
  description: string;
  /** ISO-8601 UTC, from a counter-signature or timestamp that verified. */
  signingTime?: string;
}

export interface EspUse {
  count: number;
  first?: string;
  last?: string;
  /** Artefacts that show it (e.g. `Application.evtx 8128`, `ERRORLOG`, `Sysmon 7`). */
  sources: string[];
}

/** One ESP DLL and everything known about it, unified from every source. */
export interface EspEntry {
  /** Procedure names (from 8128, the SQL export, the DLL's exports). */
  procedures: string[];
  /** DLL as named by the evidence (`xpstar.dll`, `C:\ProgramData\maggie.dll`). */
  dll: string;
  /** Full path where known. */
  dllPath?: string;
  location: LocationClass;
  /** In the server's registered ESP list (SQL export); null when no export was given. */
  registered: boolean | null;
  registeredAt?: string;
  isMsShipped?: boolean;
  loads: EspUse;
  executions: EspUse;
  file?: EspFile;
  suspicion: Suspicion;
  reasons: string[];
  /** In the baseline given with --baseline (undefined when none). */
  inBaseline?: boolean;
  /** The baseline's SHA-256 values for this DLL, set only when the file's SHA-256 is not among them. */
  baselineSha256?: string[];
  /** The signature or location rule that sets this ESP's finding (its id, severity floor and title). */
  trustRule?: { ruleId: string; severity: Severity; title: string };
}

export interface Login {
  name: string;
  type: string;
  createDate?: string;
  modifyDate?: string;
  isDisabled?: boolean;
  isSysadmin: boolean;
  /** Created inside the incident window. */
  createdDuringIncident: boolean;
  source: string;
}

export interface TimelineEntry {
  /** UTC ISO-8601. */
  timestamp: string;
  /** The artefact's own local time when it was converted (ERRORLOG). */
  localTime?: string;
  /** Short source label: `Application.evtx`, `ERRORLOG`, `Sysmon`, `SQL export`. */
  source: string;
  provider?: string;
  eventId?: number;
  /** One line: the rendered message. */
  message: string;
  severity?: Severity;
  ruleIds: string[];
  ref: EvidenceRef;
}

export interface CoverageEntry {
  /** What this is: `Application event log`, `Sysmon`, `ERRORLOG (MSSQLSERVER)`, `SQL export: ESPs`. */
  source: string;
  present: boolean;
  artefacts: string[];
  firstEvent?: string;
  lastEvent?: string;
  records: number;
  failed: number;
  recovered: number;
  /** Gaps and caveats in words ("no Sysmon installed", "ERRORLOG rotated: earliest entry ..."). */
  notes: string[];
  /** What was looked at, in numbers ("3 DLLs in Binn collected"): not a gap. */
  counts?: string;
}

export interface SqlInstance {
  /** `MSSQLSERVER` or the instance name. */
  name: string;
  /** Event log provider: `MSSQLSERVER` or `MSSQL$NAME`. */
  provider: string;
  /** Instance root, e.g. `C:\Program Files\Microsoft SQL Server\MSSQL14.MSSQLSERVER`. */
  root?: string;
  version?: string;
  errorlogPaths: string[];
}

export interface RuleLoadReport {
  sigmaLoaded: number;
  sigmaRejected: { path: string; line?: number; reason: string }[];
  yaraRules: number;
  yaraErrors: { path: string; line?: number; reason: string }[];
}

export interface AnalysisResult {
  schemaVersion: typeof ANALYSIS_SCHEMA_VERSION;
  espyVersion: string;
  /** When the analysis ran (UTC ISO-8601). */
  generatedAt: string;
  /** The command line that produced it. */
  command?: string;
  host: {
    name: string;
    os?: string;
    domain?: string;
    timeZone?: string;
    sqlInstances: SqlInstance[];
  };
  source: {
    kind: 'bundle' | 'folder' | 'live';
    path: string;
    bundleName?: string;
    /** SHA-256 of the bundle zip, computed from its bytes while analysing. */
    bundleSha256?: string;
    /** The bundle's `.sha256` sidecar against the computed hash. */
    bundleSidecar?: 'ok' | 'mismatch' | 'missing';
    collectedAt?: string;
    /** The machine that ran the collection (never the suspect host for image sources). */
    collectedBy?: string;
  };
  verdict: { verdict: Verdict; reasons: string[] };
  /**
   * The cluster(s) of high/critical evidence around the ESP backdoor evidence (clusters are
   * separated by quiet weeks), when any; `outside`: other clusters, left out of the window.
   */
  incidentWindow?: { start: string; end: string; outside?: { start: string; end: string; count: number }[] };
  findings: Finding[];
  esps: EspEntry[];
  logins: Login[];
  timeline: TimelineEntry[];
  coverage: CoverageEntry[];
  ruleLoad: RuleLoadReport;
  /** The collection log lines and manifest summary, when analysing a bundle. */
  collection?: {
    log: string[];
    manifest: { files: number; bytes: number; errors: number; incomplete: boolean };
  };
  /** Artefacts that could not be read, and why. */
  errors: ArtefactError[];
  /** Milliseconds per phase. */
  timings: Record<string, number>;
}
