/**
 * Floods: evidence that names far more DLLs, registers far more ESPs, or matches a rule far
 * more often than a real server does. What the analysis keeps of them is bounded, so that its
 * memory does not grow with a hostile log or export; what it let go is counted, and a flood of
 * DLL names or registrations is a finding of its own, so that burying the one DLL that matters
 * never makes a host look cleaner.
 */
import type { EvidenceRef, Finding } from '../analysis-result.js';
import { MAX_NAMED_DLLS, NamedDllBudget } from '../mssql/index.js';
import { refOf } from './evidence-ref.js';
import type { EvidenceFlood, HitOverflow, SourcedEvent, SqlEspRow, SqlFacts } from './inputs.js';
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

/**
 * Rows of the registered-ESP export followed. A default instance registers about 170 extended
 * procedures; an export listing tens of thousands is a flood of registrations, or forged.
 */
export const MAX_ESP_EXPORT_ROWS = 10_000;

/**
 * The budget of DLL names for the whole analysis (NamedDllBudget) and of the export's rows,
 * with the first of each refused as its example.
 */
export class NamedDllIntake {
  private readonly budget = new NamedDllBudget();
  private firstName: { dll: string; ref: EvidenceRef } | undefined;
  private rows: { past: number; firstRef: EvidenceRef } | undefined;
  /**
   * The export rows both budgets admit, in order; the rest are counted, with `notKept`: the
   * rows the parse already counted past MAX_ESP_EXPORT_ROWS in their file.
   */
  exportRows(rows: readonly SqlEspRow[], notKept?: SqlFacts['espsNotKept']): SqlEspRow[] {
    const out: SqlEspRow[] = [];
    const past = (n: number, first: SqlEspRow): void => {
      if (this.rows) this.rows.past += n;
      else this.rows = { past: n, firstRef: exportRef(first) };
    };
    for (const r of rows) {
      if (out.length >= MAX_ESP_EXPORT_ROWS) past(1, r);
      else if (this.budget.admit(r.dllName, 'export')) out.push(r);
      else this.firstName ??= { dll: r.dllName, ref: exportRef(r) };
    }
    if (notKept) past(notKept.count, notKept.first);
    return out;
  }
  /** Whether an event naming `dll` is followed; the first one turned away is kept as the example. */
  event(dll: string, ev: SourcedEvent, message: () => string): boolean {
    if (this.budget.admit(dll, ev.kind === 'errorlog' ? 'errorlog' : 'evtx')) return true;
    if (!this.firstName) {
      ev.message = message();
      this.firstName = { dll, ref: refOf(ev) };
    }
    return false;
  }
  result(): EvidenceFlood | undefined {
    const out: EvidenceFlood = {};
    if (this.firstName && this.budget.refused > 0) out.names = { refused: this.budget.refused, firstDll: this.firstName.dll, firstRef: this.firstName.ref };
    if (this.rows) out.exportRows = this.rows;
    return out.names || out.exportRows ? out : undefined;
  }
}

function exportRef(r: SqlEspRow): EvidenceRef {
  return { artefact: r.file, kind: 'sql-export', excerpt: `${r.name} → ${r.dllName}`, ...(r.line !== undefined ? { line: r.line } : {}) };
}

/** The findings of a flood: high, so the verdict can never read clean through it. */
export function findingsOfFlood(flood: EvidenceFlood): Draft[] {
  const out: Draft[] = [];
  const steps = (what: string): string[] => [
    `Read the ${what} (the evidence here is the first one not followed) and find who wrote it.`,
    'Look for what was not followed by hand: every log and export is in the bundle.',
    ...nextStepsFor([], 'esp'),
  ];
  const { names, exportRows } = flood;
  if (names) {
    out.push({
      ruleId: 'espy.flood.named-dlls',
      title: `The evidence names more than ${MAX_NAMED_DLLS} distinct DLLs: ${names.refused} later reference(s) not followed`,
      severity: 'high',
      attack: [],
      source: 'esp',
      explanation:
        `No SQL Server loads thousands of extended stored procedure DLLs. espy followed the first ${MAX_NAMED_DLLS} named by each kind of ` +
        `evidence (the registered-ESP export, the event logs, the ERRORLOGs); the ${names.refused} reference(s) after them (the first: ${names.firstDll}) ` +
        'were not looked for, judged or listed in the ESP inventory. A flood like this buries the DLL that matters, or is meant to exhaust the tool.',
      nextSteps: steps('logs and exports that name the DLLs'),
      evidence: [names.firstRef],
      count: names.refused,
      ...(names.firstRef.timestamp ? { firstSeen: names.firstRef.timestamp, lastSeen: names.firstRef.timestamp } : {}),
    });
  }
  if (exportRows) {
    out.push({
      ruleId: 'espy.flood.esp-export',
      title: `The registered-ESP export lists more than ${MAX_ESP_EXPORT_ROWS} procedures: ${exportRows.past} later row(s) not followed`,
      severity: 'high',
      attack: [],
      source: 'esp',
      explanation:
        `A default SQL Server instance registers about 170 extended stored procedures. espy followed the first ${MAX_ESP_EXPORT_ROWS} rows of the export; ` +
        `the ${exportRows.past} after them were not judged or listed in the ESP inventory. Thousands of registrations bury the one that matters; an export this long may also be forged.`,
      nextSteps: steps('export (and `EXEC sp_helpextendedproc` on the server)'),
      evidence: [exportRows.firstRef],
      count: exportRows.past,
    });
  }
  return out;
}
