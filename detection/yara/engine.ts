import yaraFactory from 'libyara-wasm';
import type { YaraHit } from '../analysis-result.js';
import { COMPILE_TIMEOUT_MS, MAX_YARA_SCAN_BYTES } from './limits.js';
import { ruleHeaders } from './rule-headers.js';
import type { CompiledYara, YaraCompileError, YaraEngine, YaraRuleInfo, YaraScanOptions, YaraScanResult, YaraSource } from './types.js';
import { YaraWorker } from './worker-pool.js';

export interface YaraEngineOptions {
  /** Runs per worker before it is replaced (default MAX_RUNS_PER_WORKER; must stay well under ~185). */
  maxRunsPerWorker?: number;
}

const EMPTY = new Uint8Array(0);

/** Where each accepted source starts in the combined rule text (1-based line). */
interface Segment {
  source: string;
  firstLine: number;
  lines: number;
}

function combine(sources: readonly YaraSource[]): { text: string; segments: Segment[] } {
  const segments: Segment[] = [];
  let line = 1;
  const parts: string[] = [];
  for (const s of sources) {
    const text = s.text.endsWith('\n') ? s.text : `${s.text}\n`;
    const lines = text.split('\n').length - 1;
    segments.push({ source: s.name, firstLine: line, lines });
    parts.push(text);
    line += lines;
  }
  return { text: parts.join(''), segments };
}

function locate(segments: readonly Segment[], line: number): { source: string; line: number } | undefined {
  const seg = segments.find((s) => line >= s.firstLine && line < s.firstLine + s.lines);
  return seg ? { source: seg.source, line: line - seg.firstLine + 1 } : undefined;
}

/**
 * A YaraEngine over libyara-wasm (real libyara compiled to WebAssembly) in a worker thread
 * that is replaced every `maxRunsPerWorker` runs. libyara-wasm compiles the rules on every
 * run, so a CompiledYara holds the checked, combined rule text and sends it with each scan.
 */
export function createYaraEngine(opts: YaraEngineOptions = {}): YaraEngine & { readonly workersStarted: number } {
  const worker = new YaraWorker((yaraFactory as unknown as () => unknown).toString(), opts.maxRunsPerWorker);

  async function check(text: string): Promise<{ errors: { line: number; message: string }[]; warnings: { line: number; message: string }[] }> {
    const o = await worker.run(EMPTY, text, COMPILE_TIMEOUT_MS);
    if (!o.ok) return { errors: [{ line: 0, message: o.message }], warnings: [] };
    return { errors: o.reply.errors.filter((e) => !e.warning), warnings: o.reply.errors.filter((e) => e.warning) };
  }

  async function compile(sources: readonly YaraSource[]): Promise<CompiledYara> {
    const errors: YaraCompileError[] = [];
    const warnings: YaraCompileError[] = [];
    const unchecked = sources.every((s) => s.shipped === true);
    let accepted: YaraSource[] = unchecked ? [...sources] : [];
    // 1. Each source on its own: errors name the file and its own line; a bad file is rejected whole.
    for (const s of unchecked ? [] : sources) {
      if (/^\s*include\s+"/m.test(s.text)) {
        errors.push({ source: s.name, line: s.text.split('\n').findIndex((l) => /^\s*include\s+"/.test(l)) + 1, message: 'include is not supported: pass the included file with --yara too' });
        continue;
      }
      const r = await check(s.text);
      for (const w of r.warnings) warnings.push({ source: s.name, line: w.line || null, message: w.message });
      if (r.errors.length) for (const e of r.errors) errors.push({ source: s.name, line: e.line || null, message: e.message });
      else accepted.push(s);
    }
    // 2. All accepted sources together (duplicate rule names across files only show here).
    let combined = combine(accepted);
    for (let round = 0; !unchecked && round < sources.length && accepted.length; round++) {
      const r = await check(combined.text);
      if (!r.errors.length) break;
      const bad = new Set<string>();
      for (const e of r.errors) {
        const at = locate(combined.segments, e.line);
        errors.push({ source: at?.source ?? '(combined rules)', line: at?.line ?? null, message: `${e.message} (when compiled with the other rule files)` });
        if (at) bad.add(at.source);
      }
      if (!bad.size) {
        accepted = [];
      } else {
        accepted = accepted.filter((s) => !bad.has(s.name));
      }
      combined = combine(accepted);
    }
    const rules: YaraRuleInfo[] = accepted.flatMap((s) => ruleHeaders(s.text).map((h) => ({ name: h.name, source: s.name, tags: h.tags })));
    const byName = new Map(rules.map((r) => [r.name, r]));
    const ruleText = combined.text;

    async function scan(bytes: Uint8Array, o: YaraScanOptions): Promise<YaraScanResult> {
      if (!accepted.length) return { hits: [], diagnostics: [] };
      if (bytes.byteLength > MAX_YARA_SCAN_BYTES) {
        return { hits: [], diagnostics: [`not scanned: ${bytes.byteLength} bytes > MAX_YARA_SCAN_BYTES ${MAX_YARA_SCAN_BYTES}`] };
      }
      const res = await worker.run(bytes, ruleText, o.timeoutMs);
      if (!res.ok) return { hits: [], diagnostics: [res.message] };
      const diagnostics: string[] = [];
      const hits: YaraHit[] = res.reply.matches.map((m) => {
        const info = byName.get(m.rule);
        const strings = [...m.strings].sort((a, b) => a.offset - b.offset || a.id.localeCompare(b.id));
        if (strings.length > o.maxMatches) diagnostics.push(`${m.rule}: ${strings.length} string matches, kept the first ${o.maxMatches}`);
        return { rule: m.rule, source: info?.source ?? '?', tags: info?.tags ?? [], strings: strings.slice(0, o.maxMatches) };
      });
      return { hits, diagnostics };
    }

    return { rules, errors, warnings, scan };
  }

  return {
    compile,
    close: () => worker.close(),
    get workersStarted() {
      return worker.workersStarted;
    },
  };
}
