import { describe, expect, it } from 'vitest';
import { findCycles, listSources, readModule } from './import-graph.js';

const root = new URL('../..', import.meta.url).pathname;

/** Every source module's imports, type-only and lazy `import()` included: a circle is a circle. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of listSources(root)) {
    graph.set(file, [...new Set(readModule(root, file).imports.map((i) => i.to))]);
  }
  return graph;
}

describe('the module graph', () => {
  it('has no import circle in cli/, collector/, detection/, parsers/ or report-templates/', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(100);
    const cycles = findCycles(graph).map((c) => c.join(' → '));
    expect(cycles, `import circles:\n${cycles.join('\n')}`).toEqual([]);
  });
});

describe('findCycles', () => {
  const g = (edges: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(edges));

  it('finds nothing in a tree', () => {
    expect(findCycles(g({ a: ['b', 'c'], b: ['c'], c: [] }))).toEqual([]);
  });

  it('names a two-module circle, as program ↔ a command was', () => {
    expect(findCycles(g({ 'cli/program.ts': ['cli/commands/x.ts'], 'cli/commands/x.ts': ['cli/program.ts'] }))).toEqual([['cli/commands/x.ts', 'cli/program.ts', 'cli/commands/x.ts']]);
  });

  it('names a self-import and a long circle, each once', () => {
    const cycles = findCycles(g({ a: ['a'], b: ['c'], c: ['d'], d: ['b', 'e'], e: [] }));
    expect(cycles).toContainEqual(['a', 'a']);
    expect(cycles).toContainEqual(['b', 'c', 'd', 'b']);
    expect(cycles).toHaveLength(2);
  });
});

describe('readModule', () => {
  it('sees type-only imports, re-exports and lazy imports', () => {
    const program = readModule(root, 'cli/program.ts');
    const targets = program.imports.map((i) => i.to);
    expect(targets).toContain('cli/command.ts');
    expect(program.imports.find((i) => i.to === 'cli/context.ts')?.typeOnly).toBe(true);
    expect(program.imports.filter((i) => i.dynamic).map((i) => i.to)).toContain('cli/commands/collect.ts');
    expect(program.exports).toContain('loadCommands');
  });
});
