/**
 * espy's read-only triage T-SQL (SQL Server 2008 R2 to 2022), run on the host with
 *
 *   sqlcmd -E -S <server\instance> -i espy-triage.sql -s "|" -W -f o:65001 -o espy-sql.txt
 *
 * Output contract (parsed by parsers/sql-exports, `parseSqlExport`):
 *  - before each result set, a one-row set `espy_section` = `ESPY:<kind>` (own batch, so a
 *    failing section is still labelled and its `Msg ...` error lands under its label);
 *  - column names of every set = `SQL_EXPORT_SPECS` (parsers/sql-exports/kinds.ts); the five
 *    sets the sample hosts also export as CSV use exactly the same names;
 *  - separator `|` (`-s "|"`), cells trimmed (`-W`), UTF-8 (`-f o:65001`);
 *  - text cells are percent-encoded for `%` `|` CR LF TAB (`%25 %7C %0D %0A %09`) so every row
 *    is one line with the right number of cells, whatever a job step or DLL name holds;
 *  - text is cast to nvarchar(4000) (sqlcmd cuts (max) types at 256 characters by default
 *    and `-y` cannot be combined with `-W`); job step commands carry `command_length` so a cut
 *    is detected; dates are ISO-8601 (style 126), server local time;
 *  - `SET NOCOUNT ON`: no `(N rows affected)` lines (the parser copes with them anyway);
 *  - a last `ESPY:end` marker, so truncated output is detected.
 * Read-only: SELECTs on catalog views and msdb; one temporary table in tempdb (CLR assemblies
 * of every database), dropped at the end. No extended stored procedure is called (calling
 * one would itself write an 8128 line to the ERRORLOG).
 */
import { SQL_EXPORT_SPECS, type SqlExportKind } from '../../parsers/sql-exports/index.js';

export const TRIAGE_SQL_VERSION = '1';
export const SQLCMD_SEPARATOR = '|';
export const SQLCMD_COMMAND_LINE = 'sqlcmd -E -S <server\\instance> -i espy-triage.sql -s "|" -W -f o:65001 -o espy-sql.txt';

/** Percent-encodes a text expression for one-line, separator-safe sqlcmd output. */
// SERVERPROPERTY returns sql_variant: it is cast to nvarchar(4000) first (a sql_variant never
// holds a (max) type, and the cast to nvarchar(max) is avoided).
function esc(expr: string): string {
  return `CAST(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(CAST(${expr} AS nvarchar(max)), N'%', N'%25'), N'|', N'%7C'), ` + `NCHAR(13), N'%0D'), NCHAR(10), N'%0A'), NCHAR(9), N'%09') AS nvarchar(4000))`;
}
const iso = (col: string): string => `CONVERT(varchar(23), ${col}, 126)`;

/** The SELECT (or batch) of each section; its result columns are the spec's, in order. */
const SECTION_SQL: Record<SqlExportKind, string> = {
  run_info: `SELECT '${TRIAGE_SQL_VERSION}' AS espy_script_version, ${iso('SYSUTCDATETIME()')} AS run_at_utc, ${esc('SUSER_SNAME()')} AS run_as_login;`,
  server_info: [
    `SELECT ${esc("CAST(SERVERPROPERTY('ServerName') AS nvarchar(4000))")} AS server_name,`,
    `       CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS product_version,`,
    `       ${esc("CAST(SERVERPROPERTY('Edition') AS nvarchar(4000))")} AS edition,`,
    `       ${esc("CAST(SERVERPROPERTY('ErrorLogFileName') AS nvarchar(4000))")} AS errorlog_path,`,
    `       DATEPART(TZOFFSET, SYSDATETIMEOFFSET()) AS utc_offset_minutes;`,
  ].join('\n'),
  extended_procedures: [
    `SELECT ${esc('name')} AS name, ${esc('dll_name')} AS dll_name, ${iso('create_date')} AS create_date,`,
    `       ${iso('modify_date')} AS modify_date, CAST(is_ms_shipped AS int) AS is_ms_shipped`,
    `FROM master.sys.extended_procedures ORDER BY create_date DESC, name;`,
  ].join('\n'),
  server_principals: [
    `SELECT ${esc('name')} AS name, ${esc('type_desc')} AS type_desc, ${iso('create_date')} AS create_date,`,
    `       ${iso('modify_date')} AS modify_date, CAST(is_disabled AS int) AS is_disabled`,
    `FROM master.sys.server_principals ORDER BY create_date DESC, name;`,
  ].join('\n'),
  role_members: [
    `SELECT ${esc('r.name')} AS role_name, ${esc('m.name')} AS member_name, ${esc('m.type_desc')} AS member_type_desc`,
    `FROM master.sys.server_role_members AS rm`,
    `JOIN master.sys.server_principals AS r ON r.principal_id = rm.role_principal_id`,
    `JOIN master.sys.server_principals AS m ON m.principal_id = rm.member_principal_id`,
    `ORDER BY r.name, m.name;`,
  ].join('\n'),
  configurations: [`SELECT ${esc('name')} AS name, CONVERT(varchar(32), value) AS value, CONVERT(varchar(32), value_in_use) AS value_in_use`, `FROM master.sys.configurations ORDER BY name;`].join(
    '\n',
  ),
  startup_procedures: [
    `SELECT ${esc('p.name')} AS procedure_name, ${iso('p.create_date')} AS create_date, ${iso('p.modify_date')} AS modify_date,`,
    `       ${esc('m.definition')} AS definition`,
    `FROM master.sys.procedures AS p LEFT JOIN master.sys.sql_modules AS m ON m.object_id = p.object_id`,
    `WHERE p.is_auto_executed = 1 ORDER BY p.name;`,
  ].join('\n'),
  agent_jobs: [
    `SELECT CONVERT(varchar(36), j.job_id) AS job_id, ${esc('j.name')} AS job_name, CAST(j.enabled AS int) AS enabled,`,
    `       ${esc('SUSER_SNAME(j.owner_sid)')} AS owner_name, ${iso('j.date_created')} AS date_created,`,
    `       ${iso('j.date_modified')} AS date_modified, ${esc('j.description')} AS description`,
    `FROM msdb.dbo.sysjobs AS j ORDER BY j.date_created DESC, j.name;`,
  ].join('\n'),
  agent_job_steps: [
    `SELECT ${esc('j.name')} AS job_name, s.step_id AS step_id, ${esc('s.step_name')} AS step_name, ${esc('s.subsystem')} AS subsystem,`,
    `       ${esc('s.database_name')} AS database_name, ${esc('s.command')} AS command, LEN(s.command) AS command_length`,
    `FROM msdb.dbo.sysjobsteps AS s JOIN msdb.dbo.sysjobs AS j ON j.job_id = s.job_id ORDER BY j.name, s.step_id;`,
  ].join('\n'),
  clr_assemblies: [
    `IF OBJECT_ID('tempdb..#espy_clr') IS NOT NULL DROP TABLE #espy_clr;`,
    `CREATE TABLE #espy_clr (database_name nvarchar(128), assembly_name nvarchar(128), clr_name nvarchar(4000),`,
    `  permission_set_desc nvarchar(60), is_user_defined int, create_date varchar(23), modify_date varchar(23));`,
    `DECLARE @db sysname, @sql nvarchar(max);`,
    `DECLARE espy_dbs CURSOR LOCAL FAST_FORWARD FOR`,
    `  SELECT name FROM master.sys.databases WHERE state = 0 AND HAS_DBACCESS(name) = 1 ORDER BY name;`,
    `OPEN espy_dbs;`,
    `FETCH NEXT FROM espy_dbs INTO @db;`,
    `WHILE @@FETCH_STATUS = 0`,
    `BEGIN`,
    `  SET @sql = N'SELECT @d, name, clr_name, permission_set_desc, CAST(is_user_defined AS int), ' +`,
    `    N'CONVERT(varchar(23), create_date, 126), CONVERT(varchar(23), modify_date, 126) FROM ' + QUOTENAME(@db) + N'.sys.assemblies;';`,
    `  BEGIN TRY`,
    `    INSERT INTO #espy_clr EXEC master.sys.sp_executesql @sql, N'@d sysname', @d = @db;`,
    `  END TRY`,
    `  BEGIN CATCH`,
    `    PRINT N'ESPY:warning clr_assemblies ' + ${esc('@db')} + N': ' + ${esc('ERROR_MESSAGE()')};`,
    `  END CATCH;`,
    `  FETCH NEXT FROM espy_dbs INTO @db;`,
    `END;`,
    `CLOSE espy_dbs;`,
    `DEALLOCATE espy_dbs;`,
    `SELECT ${esc('database_name')} AS database_name, ${esc('assembly_name')} AS assembly_name, ${esc('clr_name')} AS clr_name,`,
    `       ${esc('permission_set_desc')} AS permission_set_desc, is_user_defined AS is_user_defined,`,
    `       create_date AS create_date, modify_date AS modify_date`,
    `FROM #espy_clr ORDER BY database_name, assembly_name;`,
    `DROP TABLE #espy_clr;`,
  ].join('\n'),
  server_triggers: [
    `SELECT ${esc('t.name')} AS trigger_name, ${esc('t.type_desc')} AS type_desc, CAST(t.is_disabled AS int) AS is_disabled,`,
    `       ${iso('t.create_date')} AS create_date, ${iso('t.modify_date')} AS modify_date, ${esc('m.definition')} AS definition`,
    `FROM master.sys.server_triggers AS t LEFT JOIN master.sys.server_sql_modules AS m ON m.object_id = t.object_id`,
    `ORDER BY t.create_date DESC;`,
  ].join('\n'),
};

/** The sections in output order: label and column names (from the parser's specs). */
export const TRIAGE_SECTIONS: readonly { kind: SqlExportKind; label: string; title: string; columns: readonly string[] }[] = SQL_EXPORT_SPECS.map((s) => ({
  kind: s.kind,
  label: s.label,
  title: s.title,
  columns: s.columns.map((c) => c.column),
}));

/** The SELECT of one section (tests read the aliases from it). */
export function sectionSql(kind: SqlExportKind): string {
  return SECTION_SQL[kind];
}

function buildScript(): string {
  const out: string[] = [
    `-- espy triage script v${TRIAGE_SQL_VERSION}: read-only inventory for ESP-backdoor triage (SQL Server 2008 R2 - 2022).`,
    `-- Run on the host as a sysadmin (Windows authentication):`,
    `--   ${SQLCMD_COMMAND_LINE}`,
    `-- Then: espy analyze <source> --sql-export <folder holding espy-sql.txt>`,
    `-- Text cells are percent-encoded for % | CR LF TAB (%25 %7C %0D %0A %09).`,
    `SET NOCOUNT ON;`,
    `GO`,
  ];
  for (const s of TRIAGE_SECTIONS) {
    out.push('', `-- ${s.label}: ${s.title}`, `SELECT '${s.label}' AS espy_section;`, 'GO', SECTION_SQL[s.kind], 'GO');
  }
  out.push('', `SELECT 'ESPY:end' AS espy_section;`, 'GO', '');
  return out.join('\n');
}

/** The whole script, CRLF-free (sqlcmd accepts LF). */
export const TRIAGE_SQL: string = buildScript();
