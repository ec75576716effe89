import type { EventJson } from '../../parsers/common/event.js';

/** A scalar as a rule or event carries it. */
export type FieldScalar = string | number | boolean | null;
/** What `EventView.get` returns: a scalar, or several (unnamed `Data`, repeated elements). */
export type FieldValue = FieldScalar | readonly FieldScalar[];

/**
 * The minimal document view every matcher reads through (chainsaw's
 * `Document::find`). Never an EVTX type, never CLI config.
 */
export interface EventView {
  get(path: string): FieldValue | undefined;
  /** Every string-like value of the event's payload (EventData/UserData, rendered message): keyword search. */
  values(): readonly string[];
  /** The event the view is over. */
  readonly event: EventJson;
}

/** A rule that could not be loaded, with where and why (pySigma `SigmaRuleLocation`). */
export interface RuleError {
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Short class of the problem, for grouping the load report. */
  code: RuleErrorCode;
  reason: string;
  ruleId?: string;
  title?: string;
}

export const RULE_ERROR_CODES = ['yaml', 'invalid-rule', 'unsupported-modifier', 'unsupported-logsource', 'unsupported-feature', 'condition', 'regex', 'correlation'] as const;
export type RuleErrorCode = (typeof RULE_ERROR_CODES)[number];

export const SIGMA_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type SigmaLevel = (typeof SIGMA_LEVELS)[number];

/** Where a rule came from: file and 1-based line of its document. */
export interface RuleSource {
  path: string;
  line: number;
}

/** Metadata every rule (detection or correlation) carries. */
export interface RuleMeta {
  id: string;
  /** The optional `name` (correlations may reference rules by it). */
  name?: string;
  title: string;
  level: SigmaLevel;
  status?: string;
  description?: string;
  tags: string[];
  author?: string;
  falsepositives: string[];
  references: string[];
  source: RuleSource;
}

/** A detection-rule hit on one event. */
export interface SigmaMatch {
  kind: 'detection';
  rule: RuleMeta;
  event: EventJson;
  /** False when the rule only feeds a correlation (`generate: false`): not reported on its own. */
  reported: boolean;
  /** Event fields the matching detection reads (mapped names, rule order). */
  fields?: readonly string[];
}

/** A correlation-rule hit over several events. */
export interface CorrelationMatch {
  kind: 'correlation';
  rule: RuleMeta;
  correlationType: string;
  /** group-by field → value. */
  group: Record<string, string>;
  /** Events counted (first few, capped by MAX_CORRELATION_EVENTS). */
  events: EventJson[];
  /** Number of contributing hits. */
  count: number;
  /** value_count: the number of distinct values. */
  distinct?: number;
  firstSeen: string;
  lastSeen: string;
}

/** Used on the error path: the exception a compile step throws, turned into a RuleError by the loader. */
export class RuleCompileError extends Error {
  override readonly name = 'RuleCompileError';
  readonly code: RuleErrorCode;
  /** Path in the YAML document (keys / indexes) to locate the line. */
  readonly at: readonly (string | number)[];
  constructor(code: RuleErrorCode, message: string, at: readonly (string | number)[] = []) {
    super(message);
    this.code = code;
    this.at = at;
  }
}
