import { setsOfKind, sqlExportSteps, type SqlExportRowMap, type SqlExportSet } from '../../parsers/sql-exports/index.js';
import { runSteps } from '../run-steps.js';
import { artefactError, type EvidenceArtefact, type EvidenceSet } from '../evidence.js';
import type { SqlEspRow, SqlFacts, SqlPrincipalRow } from './inputs.js';
import { MAX_ESP_EXPORT_ROWS } from './flood.js';

/** SQL exports are small text files; a larger one is refused by name. */
export const MAX_SQL_EXPORT_BYTES = 256 * 1024 * 1024;

/** One string for each distinct short value (type names, role names): a million rows, a handful of strings. */
function interner(): (v: string) => string {
  const seen = new Map<string, string>();
  return (v) => {
    if (v.length > 64) return v;
    const had = seen.get(v);
    if (had !== undefined) return had;
    seen.set(v, v);
    return v;
  };
}

/**
 * The rows of every set of `kind`, each turned into a fact by `make` with its file and line.
 * Each parsed row is let go once converted, so that a million rows never live twice.
 */
function factsOf<K extends SqlExportSet['kind'], T>(sets: readonly SqlExportSet[], kind: K, make: (row: SqlExportRowMap[K], file: string, line: number | undefined) => T): T[] {
  const out: T[] = [];
  for (const s of setsOfKind(sets, kind)) {
    const rows = s.rows as (SqlExportRowMap[K] | undefined)[];
    s.rows = [];
    for (let i = 0; i < rows.length; i++) {
      out.push(make(rows[i] as SqlExportRowMap[K], s.fileName, s.rowLines[i]));
      rows[i] = undefined;
    }
  }
  return out;
}

/**
 * Reads every SQL export artefact (espy's triage script output, CSV/TSV, FOR JSON) into the
 * server's own lists. Undefined when the evidence holds no SQL export at all. An aborted
 * `signal` stops the parsing of an export part-way (its reason is thrown).
 */
export async function readSqlFacts(evidence: EvidenceSet, artefacts: readonly EvidenceArtefact[], signal?: AbortSignal): Promise<SqlFacts | undefined> {
  const files = artefacts.filter((a) => a.kind === 'sql-export');
  if (files.length === 0) return undefined;
  const sets: SqlExportSet[] = [];
  const facts: SqlFacts = { files: [], esps: undefined, principals: undefined, roleMembers: undefined, configurations: undefined, errors: [] };
  for (const a of files) {
    const name = a.storedPath ?? a.originalPath;
    if (a.size > MAX_SQL_EXPORT_BYTES) {
      facts.errors.push({ artefact: name, message: `larger than ${MAX_SQL_EXPORT_BYTES} bytes: not read` });
      continue;
    }
    let source: Awaited<ReturnType<EvidenceSet['open']>> | undefined;
    try {
      source = await evidence.open(a);
      // The export's registered ESPs beyond the analysis's budget are counted while parsed, never held.
      const parsed = await runSteps(sqlExportSteps(name, await source.read(0, source.size), { keepRows: { extended_procedures: MAX_ESP_EXPORT_ROWS } }), signal);
      facts.files.push(name);
      for (const set of parsed.sets) sets.push(set);
      for (const e of parsed.errors) facts.errors.push({ artefact: name, message: `line ${e.line}: ${e.message}` });
    } catch (e) {
      if (signal?.aborted) throw e;
      facts.errors.push(artefactError(name, 'could not read: ', e));
    } finally {
      await source?.close?.();
    }
  }
  const has = (kind: SqlExportSet['kind']): boolean => setsOfKind(sets, kind).length > 0;
  const intern = interner();
  if (has('extended_procedures')) {
    const espRow = (row: SqlExportRowMap['extended_procedures'], file: string, line: number | undefined): SqlEspRow => ({
      name: row.name,
      dllName: row.dllName,
      file,
      ...(line !== undefined ? { line } : {}),
      ...(row.createDate ? { createDate: row.createDate } : {}),
      ...(row.modifyDate ? { modifyDate: row.modifyDate } : {}),
      ...(row.isMsShipped !== null ? { isMsShipped: row.isMsShipped } : {}),
    });
    for (const s of setsOfKind(sets, 'extended_procedures')) {
      if (!s.notKept) continue;
      if (facts.espsNotKept) facts.espsNotKept.count += s.notKept.count;
      else facts.espsNotKept = { count: s.notKept.count, first: espRow(s.notKept.first, s.fileName, s.notKept.firstLine) };
    }
    facts.esps = factsOf(sets, 'extended_procedures', espRow);
  }
  if (has('server_principals')) {
    facts.principals = factsOf(sets, 'server_principals', (row, file, line) => {
      const p: SqlPrincipalRow = { name: row.name, typeDesc: intern(row.typeDesc), file };
      if (line !== undefined) p.line = line;
      if (row.createDate) p.createDate = row.createDate;
      // Most logins were never modified: one string for both dates.
      if (row.modifyDate) p.modifyDate = p.createDate !== undefined && row.modifyDate === row.createDate ? p.createDate : row.modifyDate;
      if (row.isDisabled !== null) p.isDisabled = row.isDisabled;
      return p;
    });
  }
  if (has('role_members')) {
    facts.roleMembers = factsOf(sets, 'role_members', (row, file, line) => ({
      roleName: intern(row.roleName),
      memberName: row.memberName,
      file,
      ...(line !== undefined ? { line } : {}),
      ...(row.memberTypeDesc ? { memberTypeDesc: intern(row.memberTypeDesc) } : {}),
    }));
  }
  if (has('configurations')) {
    facts.configurations = factsOf(sets, 'configurations', (row, file, line) => ({
      name: row.name,
      value: row.value === null ? '' : String(row.value),
      valueInUse: row.valueInUse === null ? '' : String(row.valueInUse),
      file,
      ...(line !== undefined ? { line } : {}),
    }));
  }
  const info = setsOfKind(sets, 'server_info')[0]?.rows[0];
  if (info) {
    facts.serverName = info.serverName;
    facts.productVersion = info.productVersion;
    if (info.utcOffsetMinutes !== null) facts.utcOffsetMinutes = info.utcOffsetMinutes;
  }
  return facts;
}
