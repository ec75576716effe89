import { TRANSFORMS } from './transforms.js';

/**
 * The modifier registry (pySigma `modifier_mapping`): every modifier espy implements, by
 * family. Anything not listed rejects the rule; nothing is matched approximately.
 *
 * - transform: rewrites the value(s) before matching, in rule order (transforms.ts)
 * - mode: where the value must occur (contains / startswith / endswith)
 * - list: `all` (every value must match instead of any)
 * - case: `cased` (case-sensitive; Sigma matches case-insensitively by default)
 * - type: changes what the value means (re, cidr, exists, fieldref, gt/gte/lt/lte)
 * - reflag: flags after `re` (i, m, s and their long names)
 */
export type ModifierFamily = 'transform' | 'mode' | 'list' | 'case' | 'type' | 'reflag';

export const MODIFIER_FAMILY: Readonly<Record<string, ModifierFamily>> = {
  ...Object.fromEntries(Object.keys(TRANSFORMS).map((k) => [k, 'transform' as const])),
  contains: 'mode',
  startswith: 'mode',
  endswith: 'mode',
  all: 'list',
  cased: 'case',
  re: 'type',
  cidr: 'type',
  exists: 'type',
  fieldref: 'type',
  gt: 'type',
  gte: 'type',
  lt: 'type',
  lte: 'type',
  i: 'reflag',
  ignorecase: 'reflag',
  m: 'reflag',
  multiline: 'reflag',
  s: 'reflag',
  dotall: 'reflag',
};

/** Modifiers Sigma defines that espy rejects on purpose, with the reason. */
export const REJECTED_MODIFIERS: Readonly<Record<string, string>> = {
  expand: "'expand' needs placeholder values (%name%) that espy has no configuration for",
};

export { TRANSFORMS } from './transforms.js';
export type { TValue, Transform } from './transforms.js';
