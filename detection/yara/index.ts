/** YARA behind a small engine interface; libyara-wasm stays inside this folder. */
export { createYaraEngine, type YaraEngineOptions } from './engine.js';
export { ruleHeaders } from './rule-headers.js';
export * as YARA_LIMITS from './limits.js';
export type * from './types.js';
