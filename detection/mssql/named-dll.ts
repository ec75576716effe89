/**
 * Where to look for a DLL that a log or `sp_addextendedproc` names. SQL Server loads an ESP
 * by the name registered: a full path is loaded from that path; a bare name (`xplog70.dll`)
 * goes through the DLL search order, which starts at the instance's Binn folder. The
 * collector uses this to fetch the file, the analysis to find it in the evidence.
 */
import { hasDirectory, normalizeWinPath } from '../analyze/windows-paths.js';

export interface NamedDllPlaces {
  /** Windows paths to try, in order. */
  candidates: string[];
  /**
   * True when not finding the DLL at the candidates is itself a finding (it was named by a
   * path, so it was deleted or moved); a bare name missing from Binn proves nothing, since
   * the search order may have found it elsewhere.
   */
  absenceIsEvidence: boolean;
}

/** The places to look for a named DLL, given the Binn folders of the host's instances. */
export function placesOfNamedDll(named: string, binnDirs: readonly string[]): NamedDllPlaces {
  if (hasDirectory(named)) return { candidates: [named], absenceIsEvidence: true };
  return { candidates: binnDirs.map((d) => `${d}\\${named}`), absenceIsEvidence: false };
}

/**
 * Distinct DLLs named by one kind of evidence that espy follows: looks for, collects, judges and
 * lists. SQL Server ships about twenty ESP DLLs and a real server registers a handful more;
 * evidence naming thousands is a flood, meant to bury the one DLL that matters or to exhaust
 * the tool.
 */
export const MAX_NAMED_DLLS = 5_000;

/**
 * Where a name comes from. Each kind has its own budget, so that a flood in one never pushes
 * out the names of another: anyone with sysadmin rights can write ERRORLOG lines
 * (`RAISERROR ... WITH LOG`), which can then not bury the DLLs that the server's event records
 * or its own list of registered ESPs name.
 */
export type NameSource = 'export' | 'evtx' | 'errorlog';

/**
 * Admits the DLL names of the evidence until MAX_NAMED_DLLS distinct ones (by normalised,
 * case-folded path) from each source, in the order that source offers them, whatever the order
 * of the sources; past its budget, a source's name is still admitted when another source
 * admitted it. Counts the references it turns away, so that reaching a budget is said, with
 * how far past it the evidence went, wherever the flood is reported.
 */
export class NamedDllBudget {
  private readonly bySource: Record<NameSource, Set<string>> = { export: new Set(), evtx: new Set(), errorlog: new Set() };
  /** The names refused lately: one name read twice in a row (a line and its entry, an event and its ERRORLOG twin) counts once. */
  private recent = new Set<string>();
  private older = new Set<string>();
  /**
   * References to DLLs past a budget. A name refused again within RECENT_REFUSALS refusals
   * (at least; two generations are kept) is not counted again; one repeated further apart is.
   */
  refused = 0;
  admit(dll: string, source: NameSource): boolean {
    const key = normalizeWinPath(dll).toLowerCase();
    const own = this.bySource[source];
    if (own.has(key)) return true;
    if (own.size < MAX_NAMED_DLLS) {
      own.add(key);
      return true;
    }
    if (Object.values(this.bySource).some((set) => set.has(key))) return true;
    if (this.recent.has(key) || this.older.has(key)) return false;
    if (this.recent.size >= RECENT_REFUSALS) {
      this.older = this.recent;
      this.recent = new Set();
    }
    this.recent.add(key);
    this.refused++;
    return false;
  }
}

/** How many refused names `NamedDllBudget` remembers, so as not to count one twice. */
const RECENT_REFUSALS = 256;
