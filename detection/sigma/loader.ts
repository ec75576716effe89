import { parseCorrelation, type CorrelationDef } from './correlation-def.js';
import { MAX_RULE_FILE_BYTES } from './limits.js';
import { compileRule, readMeta, type CompiledRule } from './rule.js';
import { RuleSet, type ResolvedCorrelation } from './rule-set.js';
import { RuleCompileError, type RuleError, type RuleMeta } from './types.js';
import { entry, locate, parseYamlDocuments, scalarText } from './yaml-tree.js';

export interface RuleFile {
  /** Shown in errors and matches. */
  path: string;
  text: string;
}

export interface LoadResult {
  rules: RuleSet;
  errors: RuleError[];
  /** Rule documents seen (loaded + rejected). */
  documents: number;
  /** The files loaded: a worker thread loads the same rules from them. */
  files?: readonly RuleFile[];
}

/**
 * Loads Sigma rule files: YAML → IR → compiled matchers, collecting every error with its
 * file:line:column instead of stopping at the first. A rule using anything espy
 * does not implement is rejected, never matched loosely.
 */
export function loadRules(files: readonly RuleFile[]): LoadResult {
  const errors: RuleError[] = [];
  const rules: CompiledRule[] = [];
  const corrDefs: CorrelationDef[] = [];
  const ids = new Set<string>();
  let documents = 0;
  for (const file of files) {
    if (file.text.length > MAX_RULE_FILE_BYTES) {
      errors.push({ path: file.path, line: 1, column: 1, code: 'invalid-rule', reason: `rule file larger than ${MAX_RULE_FILE_BYTES} bytes` });
      documents++;
      continue;
    }
    const docs = parseYamlDocuments(file.text);
    docs.forEach((doc, di) => {
      documents++;
      const first = doc.errors[0];
      if (first) {
        errors.push({ path: file.path, line: first.pos.line, column: first.pos.column, code: 'yaml', reason: first.message });
        return;
      }
      const root = doc.root;
      const base = { path: file.path, line: doc.pos.line, column: doc.pos.column };
      if (root?.kind !== 'map') {
        errors.push({ ...base, code: 'invalid-rule', reason: 'a rule document must be a map' });
        return;
      }
      let meta: RuleMeta | undefined;
      try {
        meta = readMeta(root, file.path, doc.pos.line, `${file.path}#${di + 1}`);
        if (entry(root, 'action')) throw new RuleCompileError('unsupported-feature', "multi-document 'action' (global/reset/repeat) collections", ['action']);
        if (ids.has(meta.id)) throw new RuleCompileError('invalid-rule', `duplicate rule id ${meta.id}`, ['id']);
        if (entry(root, 'correlation')) corrDefs.push(parseCorrelation(root, meta));
        else rules.push(compileRule(root, meta));
        ids.add(meta.id);
      } catch (e) {
        if (!(e instanceof RuleCompileError)) throw e;
        const pos = locate(root, e.at) ?? doc.pos;
        const err: RuleError = { path: file.path, line: pos.line, column: pos.column, code: e.code, reason: e.message };
        const id = meta?.id ?? scalarText(entry(root, 'id')?.value);
        const title = meta?.title ?? scalarText(entry(root, 'title')?.value);
        if (id) err.ruleId = id;
        if (title) err.title = title;
        errors.push(err);
      }
    });
  }
  const correlations = resolveCorrelations(rules, corrDefs, errors);
  return { rules: new RuleSet(rules, correlations), errors, documents, files };
}

/** Resolves correlation references (id or name), rejects dangling or cyclic ones, orders by dependency. */
function resolveCorrelations(rules: CompiledRule[], defs: CorrelationDef[], errors: RuleError[]): ResolvedCorrelation[] {
  const byRef = new Map<string, string>();
  for (const r of rules) {
    byRef.set(r.meta.id, r.meta.id);
    if (r.meta.name) byRef.set(r.meta.name, r.meta.id);
  }
  for (const d of defs) {
    byRef.set(d.meta.id, d.meta.id);
    if (d.meta.name) byRef.set(d.meta.name, d.meta.id);
  }
  const defById = new Map(defs.map((d) => [d.meta.id, d]));
  const state = new Map<string, 'visiting' | 'ok' | 'bad'>();
  const out: ResolvedCorrelation[] = [];
  const reject = (d: CorrelationDef, reason: string): void => {
    errors.push({ path: d.meta.source.path, line: d.meta.source.line, column: 1, code: 'correlation', reason, ruleId: d.meta.id, title: d.meta.title });
  };
  const visit = (d: CorrelationDef): boolean => {
    const s = state.get(d.meta.id);
    if (s === 'ok') return true;
    if (s === 'bad') return false;
    if (s === 'visiting') {
      reject(d, 'correlation refers to itself through a cycle');
      state.set(d.meta.id, 'bad');
      return false;
    }
    state.set(d.meta.id, 'visiting');
    const ruleIds: string[] = [];
    for (const ref of d.refs) {
      const id = byRef.get(ref);
      if (!id) {
        reject(d, `referenced rule '${ref}' is not loaded`);
        state.set(d.meta.id, 'bad');
        return false;
      }
      const dep = defById.get(id);
      if (dep && !visit(dep)) {
        if (state.get(d.meta.id) !== 'bad') reject(d, `referenced correlation '${ref}' was rejected`);
        state.set(d.meta.id, 'bad');
        return false;
      }
      ruleIds.push(id);
    }
    state.set(d.meta.id, 'ok');
    out.push({ ...d, ruleIds, suppressed: false });
    return true;
  };
  for (const d of defs) visit(d);
  // generate: false (the default) suppresses the referenced rules' own output.
  const ruleById = new Map(rules.map((r) => [r.meta.id, r]));
  const corrById = new Map(out.map((c) => [c.meta.id, c]));
  const generated = new Set<string>();
  for (const c of out) if (c.generate) for (const id of c.ruleIds) generated.add(id);
  for (const c of out) {
    if (c.generate) continue;
    for (const id of c.ruleIds) {
      if (generated.has(id)) continue;
      const r = ruleById.get(id);
      if (r) r.suppressed = true;
      const cc = corrById.get(id);
      if (cc) cc.suppressed = true;
    }
  }
  return out;
}
