/**
 * Where to look for a DLL that a log or `sp_addextendedproc` names. SQL Server loads an ESP
 * by the name registered: a full path is loaded from that path; a bare name (`xplog70.dll`)
 * goes through the DLL search order, which starts at the instance's Binn folder. The
 * collector uses this to fetch the file, the analysis to find it in the evidence.
 */
import { hasDirectory } from '../analyze/windows-paths.js';

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
