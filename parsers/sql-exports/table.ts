/** A result set as read from a file, before it is recognised and typed. */
export interface RawTable {
  format: 'sqlcmd' | 'csv' | 'tsv' | 'delimited' | 'json';
  /** `ESPY:<kind>` label from the triage script's section marker. */
  label?: string;
  line: number;
  columns: string[];
  rows: RawRow[];
}

/** One row of a raw table: its 1-based line and its cells (`null`: SQL NULL). */
export interface RawRow {
  line: number;
  cells: (string | null)[];
}
