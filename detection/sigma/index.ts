/**
 * espy's Sigma engine: YAML → located IR → compiled matchers (conditions
 * parsed once, regexes compiled once) → `match(view)`; correlations evaluated in a
 * streaming engine. Field and logsource mappings are data (mappings/).
 */
export { loadRules, type LoadResult, type RuleFile } from './loader.js';
export { RuleSet, type ResolvedCorrelation } from './rule-set.js';
export { createEventView, type EventViewOptions, type MessageRenderer } from './event-view.js';
export { CorrelationEngine } from './correlation.js';
export { checkSelect } from './check-select.js';
export { summarizeLoad, toRuleLoadFields, type LoadReport } from './load-report.js';
export type { CompiledRule } from './rule.js';
export {
  RULE_ERROR_CODES,
  SIGMA_LEVELS,
  type CorrelationMatch,
  type EventView,
  type FieldScalar,
  type FieldValue,
  type RuleError,
  type RuleErrorCode,
  type RuleMeta,
  type SigmaLevel,
  type SigmaMatch,
} from './types.js';
export { DERIVED_FIELDS, SYSTEM_FIELDS } from './mappings/fields.js';
export { Hunter, type HuntEvent, type HuntRow, type HuntStats } from './hunt.js';
export { DetectionDriver, eventTimeKey, type TaggedCorrelation } from './event-driver.js';
export { mssqlMessageRenderer } from './mssql-message.js';
