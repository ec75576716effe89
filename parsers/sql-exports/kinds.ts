/**
 * The SQL exports espy understands, recognised by their columns whatever the file is called.
 * The canonical column names are the ones espy's triage script (collector/sql/triage-sql.ts)
 * writes; aliases cover `sp_helpextendedproc`, `sp_configure`, `sp_helpsrvrolemember`,
 * `SERVERPROPERTY` names and raw `SELECT *` exports of the system views.
 */

export type SqlValueType = 'string' | 'int' | 'bool' | 'date';

export interface SqlColumnSpec {
  /** Canonical column name (the triage script's). */
  column: string;
  /** Property of the typed row. */
  key: string;
  type: SqlValueType;
  /** Must be present for the export to be recognised as this kind. */
  required?: boolean;
  /** Other names accepted, compared after normalisation (lower case, `_` for spaces). */
  aliases?: readonly string[];
}

export interface SqlExportKindSpec {
  kind: SqlExportKind;
  /** Section label in the triage script output: `ESPY:<kind>`. */
  label: string;
  title: string;
  columns: readonly SqlColumnSpec[];
}

export const SQL_EXPORT_KINDS = [
  'run_info',
  'server_info',
  'extended_procedures',
  'server_principals',
  'role_members',
  'configurations',
  'startup_procedures',
  'agent_jobs',
  'agent_job_steps',
  'clr_assemblies',
  'server_triggers',
] as const;
export type SqlExportKind = (typeof SQL_EXPORT_KINDS)[number];

const s = (column: string, key: string, extra: Partial<SqlColumnSpec> = {}): SqlColumnSpec => ({ column, key, type: 'string', ...extra });
const d = (column: string, key: string, extra: Partial<SqlColumnSpec> = {}): SqlColumnSpec => ({ column, key, type: 'date', ...extra });
const b = (column: string, key: string, extra: Partial<SqlColumnSpec> = {}): SqlColumnSpec => ({ column, key, type: 'bool', ...extra });
const i = (column: string, key: string, extra: Partial<SqlColumnSpec> = {}): SqlColumnSpec => ({ column, key, type: 'int', ...extra });
const REQ = { required: true } as const;

export const SQL_EXPORT_SPECS: readonly SqlExportKindSpec[] = [
  {
    kind: 'run_info',
    label: 'ESPY:run_info',
    title: 'triage script run',
    columns: [s('espy_script_version', 'scriptVersion', REQ), s('run_at_utc', 'runAtUtc'), s('run_as_login', 'runAsLogin')],
  },
  {
    kind: 'server_info',
    label: 'ESPY:server_info',
    title: 'server, version, error log and UTC offset',
    columns: [
      s('server_name', 'serverName', { ...REQ, aliases: ['servername'] }),
      s('product_version', 'productVersion', { ...REQ, aliases: ['productversion'] }),
      s('edition', 'edition'),
      s('errorlog_path', 'errorlogPath', { aliases: ['errorlogfilename', 'errorlog_file_name', 'error_log_path'] }),
      i('utc_offset_minutes', 'utcOffsetMinutes'),
    ],
  },
  {
    kind: 'extended_procedures',
    label: 'ESPY:extended_procedures',
    title: 'registered extended stored procedures',
    columns: [s('name', 'name', REQ), s('dll_name', 'dllName', { ...REQ, aliases: ['dll'] }), d('create_date', 'createDate'), d('modify_date', 'modifyDate'), b('is_ms_shipped', 'isMsShipped')],
  },
  {
    kind: 'server_principals',
    label: 'ESPY:server_principals',
    title: 'server principals (logins, roles)',
    columns: [s('name', 'name', REQ), s('type_desc', 'typeDesc', REQ), d('create_date', 'createDate'), d('modify_date', 'modifyDate'), b('is_disabled', 'isDisabled')],
  },
  {
    kind: 'role_members',
    label: 'ESPY:role_members',
    title: 'server role members (sysadmin, ...)',
    columns: [
      s('role_name', 'roleName', { ...REQ, aliases: ['serverrole', 'server_role', 'role'] }),
      s('member_name', 'memberName', { ...REQ, aliases: ['membername', 'member'] }),
      s('member_type_desc', 'memberTypeDesc'),
    ],
  },
  {
    kind: 'configurations',
    label: 'ESPY:configurations',
    title: 'server configuration (sp_configure)',
    columns: [s('name', 'name', REQ), i('value', 'value', { aliases: ['config_value'] }), i('value_in_use', 'valueInUse', { ...REQ, aliases: ['run_value'] })],
  },
  {
    kind: 'startup_procedures',
    label: 'ESPY:startup_procedures',
    title: 'startup procedures (sp_procoption)',
    columns: [s('procedure_name', 'procedureName', REQ), d('create_date', 'createDate'), d('modify_date', 'modifyDate'), s('definition', 'definition')],
  },
  {
    kind: 'agent_jobs',
    label: 'ESPY:agent_jobs',
    title: 'SQL Server Agent jobs',
    columns: [
      s('job_id', 'jobId', REQ),
      s('job_name', 'jobName', { ...REQ, aliases: ['name'] }),
      b('enabled', 'enabled'),
      s('owner_name', 'ownerName'),
      d('date_created', 'dateCreated', REQ),
      d('date_modified', 'dateModified'),
      s('description', 'description'),
    ],
  },
  {
    kind: 'agent_job_steps',
    label: 'ESPY:agent_job_steps',
    title: 'SQL Server Agent job steps',
    columns: [
      s('job_name', 'jobName'),
      i('step_id', 'stepId', REQ),
      s('step_name', 'stepName'),
      s('subsystem', 'subsystem', REQ),
      s('database_name', 'databaseName'),
      s('command', 'command', REQ),
      i('command_length', 'commandLength'),
    ],
  },
  {
    kind: 'clr_assemblies',
    label: 'ESPY:clr_assemblies',
    title: 'CLR assemblies (every database)',
    columns: [
      s('database_name', 'databaseName'),
      s('assembly_name', 'assemblyName', { ...REQ, aliases: ['name'] }),
      s('clr_name', 'clrName', REQ),
      s('permission_set_desc', 'permissionSetDesc', REQ),
      b('is_user_defined', 'isUserDefined'),
      d('create_date', 'createDate'),
      d('modify_date', 'modifyDate'),
    ],
  },
  {
    kind: 'server_triggers',
    label: 'ESPY:server_triggers',
    title: 'server (logon and DDL) triggers',
    columns: [
      s('trigger_name', 'triggerName', REQ),
      s('type_desc', 'typeDesc'),
      b('is_disabled', 'isDisabled'),
      d('create_date', 'createDate'),
      d('modify_date', 'modifyDate'),
      s('definition', 'definition'),
    ],
  },
];

export function specOf(kind: SqlExportKind): SqlExportKindSpec {
  const spec = SQL_EXPORT_SPECS.find((k) => k.kind === kind);
  if (!spec) throw new Error(`unknown SQL export kind ${kind}`); // a bug: kinds and specs are one table
  return spec;
}

/** `[Dll Name]`, `"dll_name"`, ` DLL ` → `dll_name`. */
export function normaliseColumn(name: string): string {
  return name
    .trim()
    .replace(/^\uFEFF/, '')
    .replace(/^["'[`](.*)["'\]`]$/s, '$1')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

export interface Recognised {
  spec: SqlExportKindSpec;
  /** For each column of the file, the spec column it fills (or undefined: extra column). */
  mapping: (SqlColumnSpec | undefined)[];
}

function mapColumns(spec: SqlExportKindSpec, cols: readonly string[]): { mapping: (SqlColumnSpec | undefined)[]; matched: number; complete: boolean } {
  const used = new Set<string>();
  const mapping = cols.map((c) => {
    const col = spec.columns.find((sc) => !used.has(sc.column) && (sc.column === c || (sc.aliases ?? []).includes(c)));
    if (col) used.add(col.column);
    return col;
  });
  const complete = spec.columns.every((sc) => !sc.required || used.has(sc.column));
  return { mapping, matched: used.size, complete };
}

/** Finds the kind whose required columns are all present (most columns matched wins). */
export function recogniseColumns(columns: readonly string[], only?: SqlExportKind): Recognised | undefined {
  const cols = columns.map(normaliseColumn);
  let best: { r: Recognised; matched: number } | undefined;
  for (const spec of SQL_EXPORT_SPECS) {
    if (only && spec.kind !== only) continue;
    const m = mapColumns(spec, cols);
    if (!m.complete) continue;
    if (!best || m.matched > best.matched) best = { r: { spec, mapping: m.mapping }, matched: m.matched };
  }
  return best?.r;
}
