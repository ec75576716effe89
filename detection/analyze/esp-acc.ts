import type { EspUse } from '../analysis-result.js';
import type { DllFacts, SourcedEvent, SqlEspRow } from './inputs.js';

/** What the ESP inventory gathers per DLL before judging it (see esp-inventory.ts). */
export interface Acc {
  key: string;
  dll: string;
  dllPath?: string;
  procedures: Set<string>;
  loads: Use;
  executions: Use;
  noGetXpVersion: SourcedEvent[];
  loadFailures: SourcedEvent[];
  missingFunctions: string[];
  sysmonLoads: number;
  sql?: SqlEspRow;
  file?: DllFacts;
}

export class Use {
  count = 0;
  first: string | undefined;
  last: string | undefined;
  sources = new Set<string>();
  /** `counted` false: a second source's copy of an event already counted (ERRORLOG twin). */
  add(ts: string, source: string, counted = true): void {
    if (counted) this.count++;
    if (ts && (this.first === undefined || ts < this.first)) this.first = ts;
    if (ts && (this.last === undefined || ts > this.last)) this.last = ts;
    this.sources.add(source);
  }
  toJson(): EspUse {
    const u: EspUse = { count: this.count, sources: [...this.sources].sort() };
    if (this.first !== undefined) u.first = this.first;
    if (this.last !== undefined) u.last = this.last;
    return u;
  }
}

/** Folds a bare-name entry into the path entry of the same DLL. */
export function mergeInto(target: Acc, src: Acc): void {
  for (const p of src.procedures) target.procedures.add(p);
  for (const [t, s] of [
    [target.loads, src.loads],
    [target.executions, src.executions],
  ] as const) {
    t.count += s.count;
    if (s.first !== undefined && (t.first === undefined || s.first < t.first)) t.first = s.first;
    if (s.last !== undefined && (t.last === undefined || s.last > t.last)) t.last = s.last;
    for (const x of s.sources) t.sources.add(x);
  }
  // Loops, not push(...x): a list of a hundred thousand would overflow the call stack.
  for (const x of src.noGetXpVersion) target.noGetXpVersion.push(x);
  for (const x of src.loadFailures) target.loadFailures.push(x);
  for (const x of src.missingFunctions) target.missingFunctions.push(x);
  target.sysmonLoads += src.sysmonLoads;
  if (!target.sql && src.sql) target.sql = src.sql;
  if (!target.file && src.file) target.file = src.file;
}
