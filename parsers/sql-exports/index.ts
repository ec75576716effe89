/** SQL exports (triage script output via sqlcmd, CSV/TSV, FOR JSON) → typed result sets. */
export { parseSqlExport, setsOfKind, sqlExportSteps } from './parse.js';
export { SQL_EXPORT_KINDS, SQL_EXPORT_SPECS, specOf, recogniseColumns, normaliseColumn, type SqlExportKind, type SqlExportKindSpec, type SqlColumnSpec } from './kinds.js';
export { decodeEspyCell, ESPY_SECTION_COLUMN } from './sqlcmd.js';
export type * from './rows.js';
export type * from './types.js';
export * from './limits.js';
