/**
 * Typed rows per export kind, and the conversion of cell text to typed values. Dates stay
 * in the server's local time (SQL Server `datetime` has no zone); they are normalised to
 * `YYYY-MM-DDTHH:MM:SS[.fff]` when the format is unambiguous, else kept as written.
 */
import type { SqlColumnSpec, SqlExportKind } from './kinds.js';

export interface RunInfoRow {
  scriptVersion: string;
  runAtUtc: string | null;
  runAsLogin: string | null;
}
export interface ServerInfoRow {
  serverName: string;
  productVersion: string;
  edition: string | null;
  errorlogPath: string | null;
  utcOffsetMinutes: number | null;
}
export interface ExtendedProcedureRow {
  name: string;
  dllName: string;
  createDate: string | null;
  modifyDate: string | null;
  isMsShipped: boolean | null;
}
export interface ServerPrincipalRow {
  name: string;
  typeDesc: string;
  createDate: string | null;
  modifyDate: string | null;
  isDisabled: boolean | null;
}
export interface RoleMemberRow {
  roleName: string;
  memberName: string;
  memberTypeDesc: string | null;
}
export interface ConfigurationRow {
  name: string;
  value: number | null;
  valueInUse: number | null;
}
export interface StartupProcedureRow {
  procedureName: string;
  createDate: string | null;
  modifyDate: string | null;
  definition: string | null;
}
export interface AgentJobRow {
  jobId: string;
  jobName: string;
  enabled: boolean | null;
  ownerName: string | null;
  dateCreated: string | null;
  dateModified: string | null;
  description: string | null;
}
export interface AgentJobStepRow {
  jobName: string | null;
  stepId: number | null;
  stepName: string | null;
  subsystem: string;
  databaseName: string | null;
  command: string;
  /** Length of the command on the server: more than `command.length` means the export cut it. */
  commandLength: number | null;
}
export interface ClrAssemblyRow {
  databaseName: string | null;
  assemblyName: string;
  clrName: string;
  permissionSetDesc: string;
  isUserDefined: boolean | null;
  createDate: string | null;
  modifyDate: string | null;
}
export interface ServerTriggerRow {
  triggerName: string;
  typeDesc: string | null;
  isDisabled: boolean | null;
  createDate: string | null;
  modifyDate: string | null;
  definition: string | null;
}

/** Kind → row type. */
export interface SqlExportRowMap {
  run_info: RunInfoRow;
  server_info: ServerInfoRow;
  extended_procedures: ExtendedProcedureRow;
  server_principals: ServerPrincipalRow;
  role_members: RoleMemberRow;
  configurations: ConfigurationRow;
  startup_procedures: StartupProcedureRow;
  agent_jobs: AgentJobRow;
  agent_job_steps: AgentJobStepRow;
  clr_assemblies: ClrAssemblyRow;
  server_triggers: ServerTriggerRow;
}

export type SqlCell = string | null;
export type TypedValue = string | number | boolean | null;

/** Why a cell could not be converted (the row keeps `null`). */
export interface CellProblem {
  column: string;
  value: string;
  expected: SqlValueTypeName;
}
type SqlValueTypeName = 'int' | 'bool' | 'date';

const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Converts one cell; `problem` is set when the text does not fit the type. */
export function convertCell(spec: SqlColumnSpec, cell: SqlCell): { value: TypedValue; problem?: CellProblem } {
  if (cell === null) return { value: null };
  const t = cell.trim();
  switch (spec.type) {
    case 'string':
      return { value: cell };
    case 'int': {
      if (t === '') return { value: null };
      if (/^[+-]?\d{1,15}$/.test(t)) return { value: Number(t) };
      return { value: null, problem: { column: spec.column, value: cell, expected: 'int' } };
    }
    case 'bool': {
      const l = t.toLowerCase();
      if (l === '') return { value: null };
      if (l === '1' || l === 'true' || l === 'yes') return { value: true };
      if (l === '0' || l === 'false' || l === 'no') return { value: false };
      return { value: null, problem: { column: spec.column, value: cell, expected: 'bool' } };
    }
    case 'date': {
      if (t === '') return { value: null };
      // `join` writes one flat string; a template literal would keep a tree of its ten parts
      // alive for every cell (hundreds of bytes a date over a million rows).
      const m = ISO_LIKE.exec(t);
      if (m) return { value: [m[1], '-', m[2], '-', m[3], 'T', m[4], ':', m[5], ':', m[6] ?? '00', m[7] ?? '', m[8] ?? ''].join('') };
      const dm = DATE_ONLY.exec(t);
      if (dm) return { value: [dm[1], '-', dm[2], '-', dm[3], 'T00:00:00'].join('') };
      // Regional formats (e.g. `1/5/2023 10:11:12 AM`) are ambiguous: keep as written.
      return { value: cell, problem: { column: spec.column, value: cell, expected: 'date' } };
    }
  }
}

/** An object with every column's key set to `null`: build it once per set, give it to `buildRow`. */
export function rowTemplate(columns: readonly SqlColumnSpec[]): Record<string, TypedValue> {
  const t: Record<string, TypedValue> = {};
  for (const c of columns) t[c.key] = null;
  return t;
}

/** Builds a typed row; columns the file does not have are `null`. */
export function buildRow<K extends SqlExportKind>(
  columns: readonly SqlColumnSpec[],
  mapping: readonly (SqlColumnSpec | undefined)[],
  cells: readonly SqlCell[],
  template: Readonly<Record<string, TypedValue>> = rowTemplate(columns),
): { row: SqlExportRowMap[K]; problems: CellProblem[] } {
  // Every row of a set is a copy of one template: one shape, its fields inside the object.
  const row: Record<string, TypedValue> = { ...template };
  const problems: CellProblem[] = [];
  mapping.forEach((spec, idx) => {
    if (!spec) return;
    const { value, problem } = convertCell(spec, cells[idx] ?? null);
    row[spec.key] = spec.type === 'string' && value === null && spec.required ? '' : value;
    if (problem) problems.push(problem);
  });
  for (const c of columns) if (c.required && c.type === 'string' && row[c.key] === null) row[c.key] = '';
  // Equal dates of one row (created = modified, the usual case) share one string.
  let date: string | undefined;
  for (const c of columns) {
    const v = row[c.key];
    if (c.type !== 'date' || typeof v !== 'string') continue;
    if (date === v) row[c.key] = date;
    else date ??= v;
  }
  return { row: row as unknown as SqlExportRowMap[K], problems };
}
