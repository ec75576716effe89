/** Named caps for SQL export parsing. */

/** Rows kept per result set; past it the set is cut (error LIMIT_EXCEEDED). */
export const MAX_ROWS_PER_SET = 1_000_000;
/** Characters of one cell kept (job step commands, trigger definitions). */
export const MAX_CELL_CHARS = 1_048_576;
/** Columns in one header row. */
export const MAX_COLUMNS = 1_000;
/** Diagnostics kept per file. */
export const MAX_DIAGNOSTICS = 1_000;
/** JSON nesting depth accepted before parsing (JSON.parse recursion). */
export const MAX_JSON_DEPTH = 64;
/** Rows typed between two pauses of `sqlExportSteps` (well under 0.1 s of work). */
export const SQL_EXPORT_SLICE_ROWS = 16_384;
