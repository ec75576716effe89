import { ESP_EVENT_IDS, espEventDll, isMssqlProvider } from '../esp/events.js';
import type { EspEntry, LocationClass, Suspicion } from '../analysis-result.js';
import { assessEspTrust, baselineHashesFor, isMicrosoftSigned, windowsMicrosoftSignedHashes } from './esp-trust.js';
import type { Baseline, DllFacts, SourcedEvent, SqlEspRow } from './inputs.js';
import { mergeInto, Use, type Acc } from './esp-acc.js';
import { groupBy } from './group.js';
import { errorlogTwins } from './twins.js';
import { hasDirectory, locationOf, normalizeWinPath, winBasename } from './windows-paths.js';

/** Known Microsoft ESP DLL and procedure names (data from detection/esp). */
export interface KnownEsps {
  dlls: ReadonlySet<string>;
  procedures: ReadonlySet<string>;
}

const SYSTEM_DLL_DIRS = /^[a-z]:\\windows\\(system32|syswow64|winsxs|microsoft\.net|assembly|servicing)\\/i;

/** `Application.evtx 8128`, `ERRORLOG 33090`. */
function sourceLabel(ev: SourcedEvent): string {
  return `${winBasename(ev.artefact)} ${ev.summary.eventId}`;
}

/** Sysmon 7 loads into sqlservr.exe are kept only when they can be ESPs (not system DLLs, not Binn runtime). */
function isInterestingSysmonLoad(path: string, knownDllNames: ReadonlySet<string>): boolean {
  const p = normalizeWinPath(path);
  if (knownDllNames.has(winBasename(p).toLowerCase())) return true;
  if (SYSTEM_DLL_DIRS.test(p)) return false;
  return locationOf(p) !== 'binn' && !/\\program files( \(x86\))?\\/i.test(p);
}

export interface InventoryInput {
  events: readonly SourcedEvent[];
  sqlEsps: readonly SqlEspRow[] | undefined;
  dlls: readonly DllFacts[];
  known: KnownEsps;
  /** Procedure/DLL pairs of the baseline; undefined when no baseline was given. */
  baseline?: ReadonlySet<string>;
  /** The baseline's rows, for its SHA-256 values ("changed since the baseline"). */
  baselineEsps?: Baseline['esps'];
}

/** `procedure|dll basename`, lower-case: the identity used by baselines. */
export function baselineKey(procedure: string, dll: string): string {
  return `${procedure.toLowerCase()}|${winBasename(dll).toLowerCase()}`;
}

/**
 * Unifies every source into one ESP inventory: 8128/33090/8131/17750/17751 events (EVTX and
 * ERRORLOG), Sysmon 7 loads into sqlservr.exe, the registered ESP list, and the DLL files.
 */
export function buildEspInventory(input: InventoryInput): EspEntry[] {
  const accs = new Map<string, Acc>();
  const knownNames = new Set<string>([...input.known.dlls].map((d) => d.toLowerCase()));
  for (const r of input.sqlEsps ?? []) knownNames.add(winBasename(r.dllName).toLowerCase());

  const get = (dll: string): Acc => {
    const key = hasDirectory(dll) ? normalizeWinPath(dll).toLowerCase() : `name:${winBasename(dll).toLowerCase()}`;
    let a = accs.get(key);
    if (!a) {
      a = {
        key,
        dll: hasDirectory(dll) ? normalizeWinPath(dll) : dll,
        procedures: new Set(),
        loads: new Use(),
        executions: new Use(),
        noGetXpVersion: [],
        loadFailures: [],
        missingFunctions: [],
        sysmonLoads: 0,
      };
      if (hasDirectory(dll)) a.dllPath = normalizeWinPath(dll);
      accs.set(key, a);
    }
    return a;
  };

  for (const r of input.sqlEsps ?? []) {
    const a = get(r.dllName);
    a.procedures.add(r.name);
    a.sql = r;
  }
  const twins = errorlogTwins(input.events);
  for (const ev of input.events) {
    const named = espEventDll(ev.event, ev.summary);
    if (!named) continue;
    const { eventId } = ev.summary;
    const ts = ev.summary.timestamp;
    const isSysmon = eventId === 7 && !isMssqlProvider(ev.summary.provider);
    if (isSysmon && !isInterestingSysmonLoad(named.dll, knownNames)) continue;
    const a = get(named.dll);
    if (named.procedure && eventId !== ESP_EVENT_IDS.FUNCTION_MISSING) a.procedures.add(named.procedure);
    const label = isSysmon ? 'Sysmon 7' : sourceLabel(ev);
    const counted = !twins.has(ev);
    if (isSysmon) {
      a.sysmonLoads++;
      a.loads.add(ts, label);
    } else if (eventId === ESP_EVENT_IDS.EXECUTE) {
      a.executions.add(ts, label, counted);
    } else if (eventId === ESP_EVENT_IDS.LOAD_ATTEMPT) {
      a.loads.add(ts, label, counted);
    } else if (eventId === ESP_EVENT_IDS.NO_GETXPVERSION) {
      a.noGetXpVersion.push(ev);
      a.loads.add(ts, label, counted);
    } else if (eventId === ESP_EVENT_IDS.LOAD_FAILED) {
      a.loadFailures.push(ev);
    } else if (eventId === ESP_EVENT_IDS.FUNCTION_MISSING) {
      if (named.procedure) a.missingFunctions.push(named.procedure);
      a.loadFailures.push(ev);
    }
  }

  // Attach DLL files: by full path, or a bare name to the file of that name in Binn.
  const filesByPath = new Map(input.dlls.map((d) => [normalizeWinPath(d.path).toLowerCase(), d]));
  for (const a of accs.values()) {
    if (a.dllPath) {
      const f = filesByPath.get(a.dllPath.toLowerCase());
      if (f) a.file = f;
    }
  }
  // Sweep-found ESP DLLs that no other source names still belong in the inventory.
  for (const d of input.dlls) {
    if (!d.file.isEsp) continue;
    const key = normalizeWinPath(d.path).toLowerCase();
    if (accs.has(key)) continue;
    const base = winBasename(d.path).toLowerCase();
    const nameAcc = accs.get(`name:${base}`);
    if (nameAcc && !nameAcc.file && locationOf(d.path) === 'binn') {
      nameAcc.file = d;
      nameAcc.dllPath = normalizeWinPath(d.path);
      continue;
    }
    const a = get(d.path);
    a.file = d;
  }
  // Bare names whose file is in Binn under the same name get its path (files indexed once by name).
  const binnByName = groupBy(input.dlls, (d) => (locationOf(d.path) === 'binn' ? winBasename(d.path).toLowerCase() : undefined));
  for (const a of accs.values()) {
    if (a.dllPath || a.file) continue;
    const inBinn = binnByName.get(winBasename(a.dll).toLowerCase()) ?? [];
    if (inBinn.length === 1 && inBinn[0]) {
      a.file = inBinn[0];
      a.dllPath = normalizeWinPath(inBinn[0].path);
    }
  }
  // Merge bare-name entries into the path entry of the same DLL: the one at the path they
  // resolved to, else the only path entry with that file name. Merging removes name entries
  // only, so the path entries are indexed by file name once.
  const pathsByName = groupBy(accs.values(), (b) => (b.key.startsWith('name:') ? undefined : winBasename(b.dll).toLowerCase()));
  for (const a of [...accs.values()]) {
    if (!a.key.startsWith('name:')) continue;
    const base = a.key.slice(5);
    const exact = a.dllPath ? accs.get(a.dllPath.toLowerCase()) : undefined;
    const same = pathsByName.get(base) ?? [];
    const target = exact ?? (same.length === 1 && !a.dllPath ? same[0] : undefined);
    if (!target || target === a) continue;
    mergeInto(target, a);
    accs.delete(a.key);
  }

  const attested = windowsMicrosoftSignedHashes(input.events);
  return [...accs.values()].map((a) => toEntry(a, input, attested)).sort(compareEntries);
}

const SUSPICION_RANK: Record<Suspicion, number> = { malicious: 0, suspicious: 1, unknown: 2, benign: 3 };

function compareEntries(a: EspEntry, b: EspEntry): number {
  return (
    SUSPICION_RANK[a.suspicion] - SUSPICION_RANK[b.suspicion] ||
    (a.executions.first ?? a.loads.first ?? '~').localeCompare(b.executions.first ?? b.loads.first ?? '~') ||
    a.dll.toLowerCase().localeCompare(b.dll.toLowerCase())
  );
}

function toEntry(a: Acc, input: InventoryInput, attested: ReadonlySet<string>): EspEntry {
  const exports = (a.file?.file.exports ?? []).filter((e) => !/^(__GetXpVersion|DllMain|DllEntryPoint)$/i.test(e));
  // An ESP DLL's exports are its procedures only when something registered or ran one of them.
  const procedures = [...a.procedures].sort((x, y) => x.localeCompare(y));
  const location: LocationClass = a.dllPath ? locationOf(a.dllPath) : 'unknown';
  const reasons: string[] = [];
  let malicious = false;
  let suspicious = false;
  const used = a.executions.count > 0 || a.loads.count > 0 || Boolean(a.sql);
  const msSigned = isMicrosoftSigned(a.file?.file);
  const knownDll = input.known.dlls.has(winBasename(a.dll).toLowerCase());
  const unknownProcs = procedures.filter((p) => !input.known.procedures.has(p.toLowerCase()));
  const named = [...new Set([...procedures, ...exports.filter((e) => !/^Dll[A-Z]/.test(e))])];
  const isKnown = (p: string): boolean => input.known.procedures.has(p.toLowerCase());
  const trust = assessEspTrust({
    location,
    file: a.file?.file,
    knownDll,
    knownProcedures: named.filter(isKnown),
    unknownProcedures: named.filter((p) => !isKnown(p)),
    executed: a.executions.count > 0,
    windowsAttested: attested.has(a.file?.file.sha256?.toLowerCase() ?? ''),
  });
  const sig = a.file?.file.signature;
  // Valid through a trust anchor the analyst gave (--trust), not Microsoft's: a known vendor.
  const vendorSigned = sig?.status === 'valid' && !msSigned;

  const yara = a.file?.file.yara ?? [];
  if (yara.length > 0) {
    malicious = true;
    reasons.push(`YARA: ${[...new Set(yara.map((y) => y.rule))].join(', ')}`);
  }
  if (a.noGetXpVersion.length > 0) {
    malicious = true;
    reasons.push('SQL Server reported the DLL does not export __GetXpVersion (8131): a hand-made ESP DLL');
  }
  if (location === 'outside' || location === 'sql-server') {
    const where = location === 'outside' ? 'outside the SQL Server folders' : "under the SQL Server folders but outside the instance's Binn";
    const how = a.executions.count > 0 ? 'executed' : a.sql ? 'registered' : 'loaded';
    if (used && !msSigned && !vendorSigned) {
      malicious = true;
      reasons.push(`ESP DLL ${where}, ${how} by SQL Server, not signed by Microsoft`);
    } else if (used && vendorSigned) {
      suspicious = true;
      reasons.push(`ESP DLL ${where}, ${how} by SQL Server, signed through a trust anchor you gave (${sig.description}), not by Microsoft: confirm it was installed on purpose`);
    } else {
      suspicious = true;
      reasons.push(`ESP DLL ${where}`);
    }
  }
  // An unsigned Microsoft ESP name in Binn with only Microsoft procedures, no YARA hit and no
  // claim to be Microsoft's (signature rules above): a low "compare the hash" note.
  const weakBinnFile =
    a.file !== undefined &&
    a.file.file.present &&
    !msSigned &&
    (a.file.suspicion === 'unknown' || (a.file.suspicion === 'suspicious' && a.file.reasons.every((r) => /sign|company|verified/i.test(r)))) &&
    location === 'binn' &&
    knownDll &&
    unknownProcs.length === 0 &&
    yara.length === 0 &&
    trust.rule === undefined;
  if (trust.malicious) malicious = true;
  else if (trust.rule) suspicious = true;
  reasons.push(...trust.reasons);
  if (a.file?.suspicion === 'malicious') {
    malicious = true;
    reasons.push(...a.file.reasons.filter((r) => !reasons.includes(r) && !(sig && trust.rule && r.includes(sig.description))));
  } else if (weakBinnFile) {
    const why = a.file?.reasons.filter((r) => !reasons.includes(r)) ?? [];
    reasons.push(...(why.length > 0 ? why : ['Microsoft ESP DLL name in Binn, not Microsoft-signed: compare its hash with a known-good server']));
  } else if (a.file?.suspicion === 'suspicious') {
    suspicious = true;
    // The signature rule's reason already says what the file's signature reason says.
    for (const r of a.file.reasons) if (!reasons.includes(r) && !(sig && trust.rule && r.includes(sig.description))) reasons.push(r);
  }
  if (unknownProcs.length > 0 && !(knownDll && msSigned)) {
    suspicious = true;
    reasons.push(`procedure${unknownProcs.length > 1 ? 's' : ''} not shipped by Microsoft: ${unknownProcs.join(', ')}`);
  }
  if (a.sql && a.sql.isMsShipped === false && !knownDll) {
    suspicious = true;
    reasons.push(`registered ESP not marked ms-shipped${a.sql.createDate ? ` (created ${a.sql.createDate})` : ''}`);
  }
  if (a.loadFailures.length > 0 && !knownDll) {
    suspicious = true;
    reasons.push(`SQL Server failed to load it or a function of it ${a.loadFailures.length}× (17750/17751): trial and error`);
  }
  if (a.file && !a.file.file.present && a.file.file.unreadable) {
    reasons.push(`named by the evidence; the collection could not read the DLL (${a.file.file.unreadable}): not checked`);
  } else if (a.file && !a.file.file.present) {
    suspicious = true;
    reasons.push('named by the evidence but the DLL is not in the source (deleted or moved?)');
  }
  let inBaseline: boolean | undefined;
  if (input.baseline) {
    const keys = (procedures.length > 0 ? procedures : ['']).map((p) => baselineKey(p, a.dll));
    inBaseline = keys.every((k) => input.baseline?.has(k));
    if (!inBaseline) {
      suspicious = true;
      reasons.push('not in the baseline');
    }
  }
  const sha = a.file?.file.sha256?.toLowerCase();
  const baselineSha = input.baselineEsps && sha ? baselineHashesFor(input.baselineEsps, a.dllPath ?? a.dll) : [];
  const changed = baselineSha.length > 0 && sha !== undefined && !baselineSha.includes(sha);
  if (changed) {
    suspicious = true;
    reasons.push(`SHA-256 differs from the baseline's (${baselineSha.join(', ')}): the DLL changed since the baseline`);
  }

  let suspicion: Suspicion;
  if (malicious) suspicion = 'malicious';
  else if (suspicious) suspicion = 'suspicious';
  else if (knownDll && (location === 'binn' || location === 'unknown') && !weakBinnFile) {
    suspicion = 'benign';
    reasons.push(`Microsoft ESP DLL${location === 'binn' ? ' in Binn' : ''}${msSigned ? ', Microsoft-signed' : ''}`);
  } else suspicion = 'unknown';

  const entry: EspEntry = {
    procedures: procedures.length > 0 ? procedures : exports.slice(0, 20),
    dll: a.dllPath ?? a.dll,
    location,
    registered: input.sqlEsps ? Boolean(a.sql) : null,
    loads: a.loads.toJson(),
    executions: a.executions.toJson(),
    suspicion,
    reasons,
  };
  if (a.dllPath) entry.dllPath = a.dllPath;
  if (a.sql?.createDate) entry.registeredAt = a.sql.createDate;
  if (a.sql?.isMsShipped !== undefined) entry.isMsShipped = a.sql.isMsShipped;
  if (a.file) entry.file = a.file.file;
  if (inBaseline !== undefined) entry.inBaseline = inBaseline;
  if (changed) entry.baselineSha256 = baselineSha;
  if (trust.rule && (malicious || suspicious)) entry.trustRule = trust.rule;
  return entry;
}
