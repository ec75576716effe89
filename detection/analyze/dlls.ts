import type { ArtefactError, EspFile } from '../analysis-result.js';
import { artefactError, type EvidenceArtefact, type EvidenceSet } from '../evidence.js';
import { espEventDll } from '../esp/events.js';
import type { DllFacts, SourcedEvent, SqlEspRow } from './inputs.js';
import { placesOfNamedDll } from '../mssql/index.js';
import { locationOf, normalizeWinPath, winBasename } from './windows-paths.js';

/** DLLs above this size are hashed by the collector but not classified here. */
export const MAX_DLL_CLASSIFY_BYTES = 256 * 1024 * 1024;

/** Classifies one DLL (PE parse, ESP heuristics, YARA): injected so analysis owns no engine lifecycle. */
export type DllClassifier = (input: { path: string; bytes: Uint8Array; created?: string; modified?: string }) => Promise<{
  file: EspFile;
  suspicion: DllFacts['suspicion'];
  reasons: string[];
}>;

interface Named {
  path: string;
  namedBy: SourcedEvent | undefined;
  text: string;
}

/** DLL paths named by the kept events and the registered ESP list. */
export function namedDlls(events: readonly SourcedEvent[], sqlEsps: readonly SqlEspRow[] | undefined): Named[] {
  const out = new Map<string, Named>();
  for (const ev of events) {
    const n = espEventDll(ev.event, ev.summary);
    if (!n) continue;
    const key = normalizeWinPath(n.dll).toLowerCase();
    if (!out.has(key)) out.set(key, { path: n.dll, namedBy: ev, text: `${winBasename(ev.artefact)} ${ev.summary.eventId}` });
  }
  for (const r of sqlEsps ?? []) {
    const key = normalizeWinPath(r.dllName).toLowerCase();
    if (!out.has(key)) out.set(key, { path: r.dllName, namedBy: undefined, text: `${r.file}${r.line !== undefined ? `:${r.line}` : ''}` });
  }
  return [...out.values()];
}

/**
 * Every DLL to classify: the evidence's DLL artefacts (named, swept, Binn) plus the DLLs named
 * by events or the ESP list, looked up by path (bare names in each instance's Binn). Named but
 * absent DLLs become `present: false` facts: deleted or moved files are findings too.
 */
export async function gatherDlls(
  evidence: EvidenceSet,
  artefacts: readonly EvidenceArtefact[],
  named: readonly Named[],
  binnDirs: readonly string[],
  classify: DllClassifier | undefined,
  errors: ArtefactError[],
  signal?: AbortSignal,
): Promise<{ dlls: DllFacts[]; missing: { path: string; namedBy: SourcedEvent | undefined; namedByText: string }[] }> {
  const byPath = new Map<string, { artefact: EvidenceArtefact; foundBy: DllFacts['foundBy'] }>();
  const namedKeys = new Set(named.map((n) => normalizeWinPath(n.path).toLowerCase()));
  for (const a of artefacts) {
    if (a.kind !== 'dll') continue;
    const key = normalizeWinPath(a.originalPath).toLowerCase();
    const foundBy: DllFacts['foundBy'] = namedKeys.has(key) ? 'named' : locationOf(a.originalPath) === 'binn' ? 'binn' : 'sweep';
    byPath.set(key, { artefact: a, foundBy });
  }
  const missing: { path: string; namedBy: SourcedEvent | undefined; namedByText: string }[] = [];
  for (const n of named) {
    const places = placesOfNamedDll(n.path, binnDirs);
    // Found by its path, the DLL is the named one; found by a bare name, it is the instance's own.
    const foundBy: DllFacts['foundBy'] = places.absenceIsEvidence ? 'named' : 'binn';
    let found = false;
    for (const c of places.candidates) {
      const key = normalizeWinPath(c).toLowerCase();
      const hit = byPath.get(key);
      if (hit) {
        if (places.absenceIsEvidence) hit.foundBy = 'named';
        found = true;
        break;
      }
      const a = await evidence.lookup(c);
      if (a) {
        byPath.set(key, { artefact: a, foundBy });
        found = true;
        break;
      }
    }
    if (!found && places.absenceIsEvidence) missing.push({ path: n.path, namedBy: n.namedBy, namedByText: n.text });
  }

  const dlls: DllFacts[] = [];
  for (const { artefact: a, foundBy } of [...byPath.values()].sort((x, y) => x.artefact.originalPath.localeCompare(y.artefact.originalPath))) {
    if (signal?.aborted) break;
    const base: EspFile = { present: true, path: a.originalPath, size: a.size, yara: [] };
    if (a.storedPath) base.storedPath = a.storedPath;
    if (a.sha256) base.sha256 = a.sha256;
    if (a.created) base.created = a.created;
    if (a.modified) base.modified = a.modified;
    if (!classify || a.size > MAX_DLL_CLASSIFY_BYTES) {
      if (a.size > MAX_DLL_CLASSIFY_BYTES) errors.push({ artefact: a.originalPath, message: `larger than ${MAX_DLL_CLASSIFY_BYTES} bytes: not classified` });
      dlls.push({ path: a.originalPath, ...(a.storedPath ? { storedPath: a.storedPath } : {}), file: base, suspicion: 'unknown', reasons: [], foundBy });
      continue;
    }
    let source: Awaited<ReturnType<EvidenceSet['open']>> | undefined;
    try {
      source = await evidence.open(a);
      const bytes = await source.read(0, source.size);
      const c = await classify({ path: a.originalPath, bytes, ...(a.created ? { created: a.created } : {}), ...(a.modified ? { modified: a.modified } : {}) });
      const file: EspFile = { ...base, ...c.file, present: true, path: a.originalPath };
      dlls.push({ path: a.originalPath, ...(a.storedPath ? { storedPath: a.storedPath } : {}), file, suspicion: c.suspicion, reasons: c.reasons, foundBy });
    } catch (e) {
      errors.push(artefactError(a.originalPath, 'could not classify: ', e));
      dlls.push({ path: a.originalPath, file: base, suspicion: 'unknown', reasons: [], foundBy });
    } finally {
      await source?.close?.();
    }
  }
  for (const m of missing) {
    dlls.push({ path: m.path, file: { present: false, path: m.path, yara: [] }, suspicion: 'unknown', reasons: [`named by ${m.namedByText} but not in the source`], foundBy: 'named' });
  }
  return { dlls, missing };
}
