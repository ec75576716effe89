import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Alias, type Document, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';

/**
 * YAML → a small located tree. Parsed with the failsafe schema so every scalar keeps its
 * source text (`0x10` stays "0x10", `4688` stays "4688"); plain `null`/`~`/empty become
 * null and plain `true`/`false` booleans. Every node carries its 1-based line and column,
 * so a rule error can name file:line:col.
 */

export interface Pos {
  line: number;
  column: number;
}

export type YNode = { kind: 'map'; entries: YEntry[]; pos: Pos } | { kind: 'seq'; items: YNode[]; pos: Pos } | { kind: 'scalar'; value: string | boolean | null; quoted: boolean; pos: Pos };

export interface YEntry {
  key: string;
  keyPos: Pos;
  value: YNode;
}

export interface YDocument {
  root: YNode | undefined;
  pos: Pos;
  errors: { message: string; pos: Pos }[];
}

const MAX_DEPTH = 64;

/** Parses every `---` document of a rule file. */
export function parseYamlDocuments(text: string): YDocument[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, schema: 'failsafe', uniqueKeys: true, prettyErrors: false });
  const at = (offset: number | undefined): Pos => {
    const p = lc.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };
  const list = Array.isArray(docs) ? docs : [];
  const out: YDocument[] = [];
  for (const doc of list) {
    const errors = [...doc.errors, ...doc.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED')].map((e) => ({
      message: e.message.split('\n')[0] ?? e.message,
      pos: at(e.pos[0]),
    }));
    let root: YNode | undefined;
    if (errors.length === 0 && doc.contents != null) {
      try {
        root = convert(doc, doc.contents, at, 0);
      } catch (e) {
        errors.push({ message: (e as Error).message, pos: at(doc.contents.range?.[0]) });
      }
    }
    // A trailing `---` with nothing after it is not a rule.
    if (root === undefined && errors.length === 0) continue;
    out.push({ root, pos: at(doc.contents?.range?.[0] ?? doc.range[0]), errors });
  }
  return out;
}

function convert(doc: Document, node: unknown, at: (o: number | undefined) => Pos, depth: number): YNode {
  if (depth > MAX_DEPTH) throw new Error(`YAML nesting deeper than ${MAX_DEPTH}`);
  if (isAlias(node)) return convert(doc, (node as Alias).resolve(doc), at, depth + 1);
  if (isMap(node)) {
    const m = node as YAMLMap;
    const entries: YEntry[] = [];
    for (const pair of m.items) {
      const k = pair.key;
      if (!isScalar(k)) throw new Error('complex mapping keys are not supported');
      const value: YNode = pair.value == null ? { kind: 'scalar', value: null, quoted: false, pos: at((k as Scalar).range?.[1]) } : convert(doc, pair.value, at, depth + 1);
      entries.push({ key: String((k as Scalar).value), keyPos: at((k as Scalar).range?.[0]), value });
    }
    return { kind: 'map', entries, pos: at(m.range?.[0]) };
  }
  if (isSeq(node)) {
    const s = node as YAMLSeq;
    const items: YNode[] = [];
    for (const it of s.items) {
      items.push(it == null ? { kind: 'scalar', value: null, quoted: false, pos: at(s.range?.[0]) } : convert(doc, it, at, depth + 1));
    }
    return { kind: 'seq', items, pos: at(s.range?.[0]) };
  }
  if (isScalar(node)) {
    const sc = node as Scalar;
    const raw = sc.value == null ? '' : String(sc.value);
    const quoted = sc.type === 'QUOTE_SINGLE' || sc.type === 'QUOTE_DOUBLE' || sc.type === 'BLOCK_LITERAL' || sc.type === 'BLOCK_FOLDED';
    let value: string | boolean | null = raw;
    if (!quoted) {
      if (raw === '' || raw === '~' || /^(null|Null|NULL)$/.test(raw)) value = null;
      else if (/^(true|True|TRUE)$/.test(raw)) value = true;
      else if (/^(false|False|FALSE)$/.test(raw)) value = false;
    }
    return { kind: 'scalar', value, quoted, pos: at(sc.range?.[0]) };
  }
  throw new Error('unsupported YAML node');
}

/** The entry `key` of a map node. */
export function entry(node: YNode | undefined, key: string): YEntry | undefined {
  if (node?.kind !== 'map') return undefined;
  return node.entries.find((e) => e.key === key);
}

/** Scalar text of a node (strings only; numbers are kept as their source text). */
export function scalarText(node: YNode | undefined): string | undefined {
  if (node?.kind !== 'scalar') return undefined;
  return typeof node.value === 'string' ? node.value : node.value === null ? undefined : String(node.value);
}

/** A list of scalar strings (a bare scalar counts as a one-item list). */
export function stringList(node: YNode | undefined): string[] {
  if (!node) return [];
  if (node.kind === 'scalar') return node.value === null ? [] : [String(node.value)];
  if (node.kind === 'seq') return node.items.flatMap((i) => (i.kind === 'scalar' && i.value !== null ? [String(i.value)] : []));
  return [];
}

/** Locates a path of keys / indexes inside a node (for error positions). */
export function locate(node: YNode | undefined, path: readonly (string | number)[]): Pos | undefined {
  let cur = node;
  let pos = node?.pos;
  for (const k of path) {
    if (!cur) break;
    if (typeof k === 'string' && cur.kind === 'map') {
      const e = cur.entries.find((x) => x.key === k);
      if (!e) break;
      pos = e.keyPos;
      cur = e.value;
    } else if (typeof k === 'number' && cur.kind === 'seq') {
      cur = cur.items[k];
      if (cur) pos = cur.pos;
    } else break;
  }
  return pos;
}
