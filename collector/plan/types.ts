/**
 * What a collection plan is made of: one item per file the collection will copy, hash or
 * list as missing, each with the target (and its category) that chose it.
 */
import type { EvidenceKind } from '../../detection/evidence.js';
import type { Classification, EventReader, FileClassifier } from '../classify.js';
import type { TargetCategory, SweepMode, Target } from '../targets/index.js';
import type { FoundFile, WalkSkip } from '../walk.js';

/** The error of a named DLL that the source does not hold. */
export const NOT_IN_SOURCE = 'not present in the source';

/** copy: into the bundle; hash: hashed and classified only; missing: named but not found; skip: listed, never opened. */
export type PlanAction = 'copy' | 'hash' | 'missing' | 'skip';

export interface PlanItem {
  originalPath: string;
  storedPath: string;
  drive: string;
  segments: string[];
  fsPath: string[];
  kind: EvidenceKind;
  /** The target's name (the manifest's `target`) and category (what flags such as --copy-binn act on). */
  target: string;
  category: TargetCategory | 'named';
  action: PlanAction;
  reason: string;
  classification?: Classification;
  error?: string;
}

export interface PlanOptions {
  /** Targets known only at run time (a live host's SQL Server folders from the registry). */
  extraTargets?: readonly Target[];
  sweep: SweepMode;
  copyBinn: boolean;
  maxFileSize: number;
  signal?: AbortSignal;
  classify?: FileClassifier;
  readEvents?: EventReader;
  log(level: 'info' | 'warn' | 'debug', msg: string): void;
  /** SQL exports already read (text), for the DLL names they list (`dll_name`). */
  sqlExports?: readonly { label: string; text: string }[];
  /** Progress of the phases (label, done, total). */
  progress?(phase: string, done: number, total: number): void;
  /** Sweep budgets (defaults MAX_SWEEP_CLASSIFIED, SWEEP_TIME_BUDGET_MS); reaching one is listed in `skipped`. */
  sweepBudget?: { files?: number; ms?: number };
  /** Windows paths the sweep never reads: espy's own executable, its output folder (and all below). */
  sweepExclude?: readonly string[];
}

export interface CollectionPlan {
  items: PlanItem[];
  /** Items by `windowsPathKey(originalPath)`: a file is planned once. */
  byKey: Map<string, PlanItem>;
  /** What the evidence says of the host's name (detection/mssql chooseHostName decides, as the analysis does), and every name it gives. */
  hostClues: { computers: Map<string, number>; serverNames: string[] };
  hostNames: string[];
  instances: { name: string; root: string }[];
  /** Files in the sweep locations, classified by `sweepPlan`. */
  sweepCandidates: FoundFile[];
  sweepSeen: number;
  sweepPe: number;
  /** Folders the walk could not list or did not enter (a budget): what the collection could not see. */
  skipped: WalkSkip[];
}
