/**
 * Exports of the product's modules that no product module imports (tests do not count: code
 * kept alive only by its tests is dead). Run `npx tsx test/architecture/dead-exports.ts` to
 * list them; the architecture test fails on any that is not explained in ALLOWED_DEAD.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listSources, readModule, SOURCE_LAYERS, type ModuleInfo } from './import-graph.js';

/** Where imports are looked for: the product and its scripts (bin/espy.js only runs cli/main.ts's `main`). */
const IMPORTING_LAYERS = [...SOURCE_LAYERS, 'scripts'] as const;

export interface DeadExport {
  file: string;
  name: string;
  /** Still used inside its own module: only the `export` is dead, not the code. */
  usedLocally: boolean;
}

/** `export * from` chains: which modules a name exported by `file` may come from. */
function origins(modules: ReadonlyMap<string, ModuleInfo>, file: string, name: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const mod = modules.get(file);
  if (!mod) return [];
  const out = [file];
  for (const imp of mod.imports) {
    // A named re-export passes the name on; `export *` passes every name.
    if (imp.reexport && (imp.names.includes(name) || imp.names.includes('*'))) out.push(...origins(modules, imp.to, name, seen));
  }
  return out;
}

function countWord(text: string, word: string): number {
  const re = new RegExp(`(?<![\\w$])${word.replace(/[$]/g, '\\$')}(?![\\w$])`, 'g');
  return text.match(re)?.length ?? 0;
}

export function findDeadExports(root: string): DeadExport[] {
  const products = listSources(root);
  const importers = listSources(root, IMPORTING_LAYERS);
  const modules = new Map<string, ModuleInfo>();
  for (const f of new Set([...products, ...importers])) modules.set(f, readModule(root, f));
  // bin/espy.js runs the built CLI's `main`.
  const used = new Set<string>(['cli/main.ts#main']);
  const wholeModules = new Set<string>();
  for (const mod of modules.values()) {
    for (const imp of mod.imports) {
      if (imp.reexport) continue;
      if (imp.names.includes('*')) wholeModules.add(imp.to);
      for (const name of imp.names) for (const origin of origins(modules, imp.to, name)) used.add(`${origin}#${name}`);
    }
  }
  const dead: DeadExport[] = [];
  for (const file of products) {
    if (wholeModules.has(file)) continue;
    const mod = modules.get(file)!;
    const text = readFileSync(join(root, file), 'utf8');
    for (const name of mod.exports) {
      if (name === '*' || name === 'default' || used.has(`${file}#${name}`)) continue;
      // A name re-exported by this module from another is judged at its origin.
      if (mod.imports.some((i) => i.reexport && i.names.includes(name))) continue;
      dead.push({ file, name, usedLocally: countWord(text, name) > 1 });
    }
  }
  return dead;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = new URL('../..', import.meta.url).pathname;
  const dead = findDeadExports(root);
  for (const d of dead) console.log(`${d.usedLocally ? 'export only' : 'dead code  '}  ${d.file}  ${d.name}`);
  console.log(`${dead.length} exports that no product module imports (${dead.filter((d) => !d.usedLocally).length} unused anywhere)`);
}
