import { setsOfKind, sqlExportSteps, type SqlExportRowMap, type SqlExportSet } from '../../parsers/sql-exports/index.js';
import { runSteps } from '../run-steps.js';
import { artefactError, type EvidenceArtefact, type EvidenceSet } from '../evidence.js';
import type { SqlFacts } from './inputs.js';

/** SQL exports are small text files; a larger one is refused by name. */
export const MAX_SQL_EXPORT_BYTES = 256 * 1024 * 1024;

function rowsOf<K extends SqlExportSet['kind']>(sets: readonly SqlExportSet[], kind: K): { row: SqlExportRowMap[K]; file: string; line: number | undefined }[] {
  return setsOfKind(sets, kind).flatMap((s) => (s.rows as SqlExportRowMap[K][]).map((row, i) => ({ row, file: s.fileName, line: s.rowLines[i] })));
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
      const parsed = await runSteps(sqlExportSteps(name, await source.read(0, source.size)), signal);
      facts.files.push(name);
      sets.push(...parsed.sets);
      for (const e of parsed.errors) facts.errors.push({ artefact: name, message: `line ${e.line}: ${e.message}` });
    } catch (e) {
      if (signal?.aborted) throw e;
      facts.errors.push(artefactError(name, 'could not read: ', e));
    } finally {
      await source?.close?.();
    }
  }
  const has = (kind: SqlExportSet['kind']): boolean => setsOfKind(sets, kind).length > 0;
  if (has('extended_procedures')) {
    facts.esps = rowsOf(sets, 'extended_procedures').map(({ row, file, line }) => ({
      name: row.name,
      dllName: row.dllName,
      file,
      ...(line !== undefined ? { line } : {}),
      ...(row.createDate ? { createDate: row.createDate } : {}),
      ...(row.modifyDate ? { modifyDate: row.modifyDate } : {}),
      ...(row.isMsShipped !== null ? { isMsShipped: row.isMsShipped } : {}),
    }));
  }
  if (has('server_principals')) {
    facts.principals = rowsOf(sets, 'server_principals').map(({ row, file, line }) => ({
      name: row.name,
      typeDesc: row.typeDesc,
      file,
      ...(line !== undefined ? { line } : {}),
      ...(row.createDate ? { createDate: row.createDate } : {}),
      ...(row.modifyDate ? { modifyDate: row.modifyDate } : {}),
      ...(row.isDisabled !== null ? { isDisabled: row.isDisabled } : {}),
    }));
  }
  if (has('role_members')) {
    facts.roleMembers = rowsOf(sets, 'role_members').map(({ row, file, line }) => ({
      roleName: row.roleName,
      memberName: row.memberName,
      file,
      ...(line !== undefined ? { line } : {}),
      ...(row.memberTypeDesc ? { memberTypeDesc: row.memberTypeDesc } : {}),
    }));
  }
  if (has('configurations')) {
    facts.configurations = rowsOf(sets, 'configurations').map(({ row, file, line }) => ({
      name: row.name,
      value: row.value === null ? '' : String(row.value),
      valueInUse: row.valueInUse === null ? '' : String(row.valueInUse),
      file,
      ...(line !== undefined ? { line } : {}),
    }));
  }
  const info = rowsOf(sets, 'server_info')[0]?.row;
  if (info) {
    facts.serverName = info.serverName;
    facts.productVersion = info.productVersion;
    if (info.utcOffsetMinutes !== null) facts.utcOffsetMinutes = info.utcOffsetMinutes;
  }
  return facts;
}
