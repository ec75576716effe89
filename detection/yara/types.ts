import type { YaraHit } from '../analysis-result.js';

export type { YaraHit };

/** One rule file's text; `name` is how errors and hits refer to it (`rules/yara/espy.yar`, a user path). */
export interface YaraSource {
  name: string;
  text: string;
  /**
   * espy's own rule files, compiled by its tests: when every source is one, `compile` does not
   * check them again (a check starts the ~90 MB engine; a run that scans no DLL never needs it).
   */
  shipped?: boolean;
}

export interface YaraCompileError {
  /** The source (`YaraSource.name`) the error is in. */
  source: string;
  /** 1-based line in that source, when libyara gave one. */
  line: number | null;
  message: string;
}

export interface YaraRuleInfo {
  name: string;
  source: string;
  tags: string[];
}

export interface YaraScanOptions {
  /** The scan is abandoned (worker terminated) after this many milliseconds. */
  timeoutMs: number;
  /** Matched strings kept per rule hit; extra ones are dropped with a diagnostic. */
  maxMatches: number;
}

export interface YaraScanResult {
  hits: YaraHit[];
  /** Skips, timeouts, truncated matches, worker failures: the scan still returns. */
  diagnostics: string[];
}

/** Rules compiled from every accepted source: what a scan runs. */
export interface CompiledYara {
  readonly rules: readonly YaraRuleInfo[];
  /** Sources rejected whole because they do not compile (each error names file and line). */
  readonly errors: readonly YaraCompileError[];
  /** Compiler warnings (e.g. slow strings), with file and line. */
  readonly warnings: readonly YaraCompileError[];
  scan(bytes: Uint8Array, opts: YaraScanOptions): Promise<YaraScanResult>;
}

/** The engine behind `CompiledYara`. Close it to end its worker thread. */
export interface YaraEngine {
  compile(sources: readonly YaraSource[]): Promise<CompiledYara>;
  close(): Promise<void>;
}
