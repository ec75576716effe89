import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** The source layers whose imports form the product's module graph. */
export const SOURCE_LAYERS = ['cli', 'collector', 'detection', 'parsers', 'report-templates'] as const;

/** One import of a module: the file it names (repository-relative) and the names it takes. */
export interface ImportEdge {
  readonly to: string;
  /** Imported names; `*` for a namespace import or `export *`; empty for a side-effect import. */
  readonly names: readonly string[];
  readonly typeOnly: boolean;
  readonly dynamic: boolean;
  /** `export … from`: passes the names on rather than using them. */
  readonly reexport: boolean;
}

export interface ModuleInfo {
  readonly file: string;
  readonly imports: readonly ImportEdge[];
  /** Names this module exports itself or re-exports. */
  readonly exports: readonly string[];
}

export function listSources(root: string, layers: readonly string[] = SOURCE_LAYERS): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(relative(root, full));
    }
  };
  for (const layer of layers) walk(join(root, layer));
  return out;
}

/** Maps a relative specifier (`./x.js`, `../y/index.js`) to the repository-relative .ts file. */
function resolveSpecifier(root: string, from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(root, dirname(from), spec);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) return relative(root, c);
    } catch {
      // not this candidate
    }
  }
  return undefined;
}

function hasExportModifier(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function declaredNames(node: ts.Statement): string[] {
  if (ts.isVariableStatement(node)) {
    return node.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []));
  }
  const named = node as ts.Statement & { name?: ts.Node };
  const isDefault = (ts.getModifiers(node as ts.HasModifiers) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  if (isDefault) return ['default'];
  return named.name && ts.isIdentifier(named.name) ? [named.name.text] : [];
}

/** Reads one module's imports and exports with the TypeScript parser (no type check). */
export function readModule(root: string, file: string): ModuleInfo {
  const text = readFileSync(join(root, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const imports: ImportEdge[] = [];
  const exports: string[] = [];
  const add = (spec: string, names: string[], typeOnly: boolean, dynamic: boolean, reexport = false): void => {
    const to = resolveSpecifier(root, file, spec);
    if (to !== undefined) imports.push({ to, names, typeOnly, dynamic, reexport });
  };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const clause = st.importClause;
      const names: string[] = [];
      if (clause?.name) names.push('default');
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
      if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) names.push((el.propertyName ?? el.name).text);
      const allTypes = bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
      add(st.moduleSpecifier.text, names, clause?.isTypeOnly === true || allTypes, false);
    } else if (ts.isExportDeclaration(st)) {
      const clause = st.exportClause;
      const local = clause && ts.isNamedExports(clause) ? clause.elements.map((e) => e.name.text) : ['*'];
      exports.push(...local);
      if (st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
        const names = clause && ts.isNamedExports(clause) ? clause.elements.map((e) => (e.propertyName ?? e.name).text) : ['*'];
        add(st.moduleSpecifier.text, names, st.isTypeOnly, false, true);
      }
    } else if (ts.isExportAssignment(st)) {
      exports.push('default');
    } else if (hasExportModifier(st)) {
      exports.push(...declaredNames(st));
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) add(arg.text, ['*'], false, true);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, node.qualifier && ts.isIdentifier(node.qualifier) ? [node.qualifier.text] : ['*'], true, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { file, imports, exports };
}

/**
 * The strongly connected components of the graph that hold a cycle (Tarjan), each given as
 * one concrete cycle path `a → b → … → a` so the message names the files to change.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(comp);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) strong(v);
  return components.map((comp) => cyclePath(graph, new Set(comp)));
}

/** A shortest cycle through the first member of a component, found breadth-first inside it. */
function cyclePath(graph: ReadonlyMap<string, readonly string[]>, members: ReadonlySet<string>): string[] {
  const start = [...members].sort()[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = prev.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
