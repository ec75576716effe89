/** Named caps for the Sigma engine. */

/** Nesting depth when searching UserData for a field. */
export const MAX_USERDATA_DEPTH = 8;
/** Condition expression length in tokens. */
export const MAX_CONDITION_TOKENS = 2_000;
/** Values produced by modifier expansion (windash × base64offset × lists) for one field. */
export const MAX_EXPANDED_VALUES = 4_096;
/** Events kept as evidence on a correlation match. */
export const MAX_CORRELATION_EVENTS = 20;
/** Open correlation groups per rule before the oldest are evicted. */
export const MAX_CORRELATION_GROUPS = 100_000;
/** Size of a rule file in bytes. */
export const MAX_RULE_FILE_BYTES = 4 * 1024 * 1024;
