import type { EventJson } from '../../parsers/common/event.js';
import { createEventView, type EventViewOptions } from './event-view.js';
import { loadRules } from './loader.js';

/**
 * The hayabusa `check_select` shape: one rule as YAML text and one event as JSON text →
 * does the rule match? Throws when the rule does not load (with every error), so a test can
 * never silently pass on a rejected rule. For tests and for users checking a rule.
 */
export function checkSelect(ruleYaml: string, eventJson: string, opts: EventViewOptions = {}): boolean {
  const { rules, errors } = loadRules([{ path: 'rule.yml', text: ruleYaml }]);
  if (errors.length) throw new Error(errors.map((e) => `${e.path}:${e.line}:${e.column} ${e.code}: ${e.reason}`).join('\n'));
  if (rules.rules.length === 0) throw new Error('no detection rule in the YAML');
  const event = JSON.parse(eventJson) as EventJson;
  return rules.match(createEventView(event, opts)).length > 0;
}
