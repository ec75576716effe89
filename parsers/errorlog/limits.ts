/**
 * Named caps for the ERRORLOG parser. An ERRORLOG is a text file that an
 * attacker may have tampered with; these keep one absurd line or entry from exhausting memory.
 */

/** Longest physical line kept, in characters; the rest of the line is dropped (diagnostic). */
export const MAX_LINE_CHARS = 65_536;
/** Longest physical line decoded, in bytes (UTF-8 up to 4 bytes a character). */
export const MAX_LINE_BYTES = MAX_LINE_CHARS * 4;
/** Continuation lines appended to one entry before further ones are dropped (diagnostic). */
export const MAX_CONTINUATION_LINES = 10_000;
/** Characters of text kept for one entry (first line plus continuations). */
export const MAX_ENTRY_CHARS = 1_048_576;
/** Diagnostics kept per file; past it one summary diagnostic counts the rest. */
export const MAX_DIAGNOSTICS = 1_000;
/** Errors kept per file; past it one summary error counts the rest. */
export const MAX_ERRORS = 1_000;
/** `UTC adjustment` values outside ±14:00 are not real time zones (diagnostic, ignored). */
export const MAX_UTC_ADJUSTMENT_MINUTES = 14 * 60;
/** Lines of each pass parsed between two pauses of the parser (about 0.1 s of work). */
export const ERRORLOG_SLICE_LINES = 4_096;
/** Bytes read at a time by the streaming parser: its memory is about this plus one entry. */
export const ERRORLOG_WINDOW_BYTES = 1024 * 1024;
/** One-pass reads (forward-only sources): entries held while the banner and layout are read. */
export const LOOKAHEAD_ENTRIES = 2_048;
/** One-pass reads: characters of held entries past which the look-ahead ends early. */
export const LOOKAHEAD_CHARS = 4 * 1024 * 1024;
