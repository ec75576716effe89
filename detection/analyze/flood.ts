/**
 * Floods: evidence that names far more DLLs, or matches a rule far more often, than a real
 * server does. What the analysis keeps of them is bounded, so that its memory does not grow
 * with a hostile log; what it let go is counted, and a flood of DLL names is a finding of its
 * own, so that burying the one DLL that matters never makes a host look cleaner.
 */
import type { EvidenceRef, Finding } from '../analysis-result.js';
import { MAX_NAMED_DLLS, NamedDllBudget } from '../mssql/index.js';
import { refOf } from './evidence-ref.js';
import type { HitOverflow, NamedDllFlood, SourcedEvent, SqlEspRow } from './inputs.js';
import { nextStepsFor } from './next-steps.js';

type Draft = Omit<Finding, 'id'>;

/**
 * Matches of one rule kept whole, for its evidence and the timeline; past it, matches are
 * counted with their first and last time. Correlations see every match all the same (they run
 * while the logs stream).
 */
export const MAX_HITS_PER_RULE = 1_000;

/** Counts the matches of each rule and says which are kept whole. */
export class HitBudget {
  private readonly kept = new Map<string, number>();
  readonly overflow = new Map<string, HitOverflow>();
  /** True while the rule has kept fewer than MAX_HITS_PER_RULE matches; else the match is counted. */
  admit(ruleId: string, timestamp: string): boolean {
    const n = this.kept.get(ruleId) ?? 0;
    if (n < MAX_HITS_PER_RULE) {
      this.kept.set(ruleId, n + 1);
      return true;
    }
    let o = this.overflow.get(ruleId);
    if (!o) this.overflow.set(ruleId, (o = { count: 0 }));
    o.count++;
    if (timestamp && (o.first === undefined || timestamp < o.first)) o.first = timestamp;
    if (timestamp && (o.last === undefined || timestamp > o.last)) o.last = timestamp;
    return false;
  }
}

/** The budget of DLL names for the whole analysis (NamedDllBudget), with its first refusal as the example. */
export class NamedDllIntake {
  readonly budget = new NamedDllBudget();
  private first: { dll: string; ref: EvidenceRef } | undefined;
  /** The export rows the budget admits, in order; the rest are counted. */
  exportRows(rows: readonly SqlEspRow[]): SqlEspRow[] {
    const out: SqlEspRow[] = [];
    for (const r of rows) {
      if (this.budget.admit(r.dllName, 'export')) out.push(r);
      else this.first ??= { dll: r.dllName, ref: { artefact: r.file, kind: 'sql-export', excerpt: `${r.name} → ${r.dllName}`, ...(r.line !== undefined ? { line: r.line } : {}) } };
    }
    return out;
  }
  /** Whether an event naming `dll` is followed; the first one turned away is kept as the example. */
  event(dll: string, ev: SourcedEvent, message: () => string): boolean {
    if (this.budget.admit(dll, ev.kind === 'errorlog' ? 'errorlog' : 'evtx')) return true;
    if (!this.first) {
      ev.message = message();
      this.first = { dll, ref: refOf(ev) };
    }
    return false;
  }
  result(): NamedDllFlood | undefined {
    if (!this.first || this.budget.refused === 0) return undefined;
    return { refused: this.budget.refused, firstDll: this.first.dll, firstRef: this.first.ref };
  }
}

/** The finding of a flood of DLL names: high, so the verdict can never read clean through it. */
export function findingOfNamedDllFlood(flood: NamedDllFlood): Draft {
  return {
    ruleId: 'espy.flood.named-dlls',
    title: `The evidence names more than ${MAX_NAMED_DLLS} distinct DLLs: ${flood.refused} later reference(s) not followed`,
    severity: 'high',
    attack: [],
    source: 'esp',
    explanation:
      `No SQL Server loads thousands of extended stored procedure DLLs. espy followed the first ${MAX_NAMED_DLLS} named by each kind of ` +
      `evidence (the registered-ESP export, the event logs, the ERRORLOGs); the ${flood.refused} reference(s) after them (the first: ${flood.firstDll}) ` +
      'were not looked for, judged or listed in the ESP inventory. A flood like this buries the DLL that matters, or is meant to exhaust the tool.',
    nextSteps: [
      'Read the logs that name the DLLs (the evidence here is the first reference not followed) and find who wrote them.',
      'Look for the DLLs that were not followed by hand: every log and export is in the bundle.',
      ...nextStepsFor([], 'esp'),
    ],
    evidence: [flood.firstRef],
    count: flood.refused,
    ...(flood.firstRef.timestamp ? { firstSeen: flood.firstRef.timestamp, lastSeen: flood.firstRef.timestamp } : {}),
  };
}
