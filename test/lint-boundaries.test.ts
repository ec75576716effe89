import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const eslint = new ESLint({ cwd: root });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('module boundaries are enforced by lint', () => {
  it('rejects a parser importing detection', async () => {
    const ids = await ruleIds("import { x } from '../../detection/esp.js';\nexport const y = x;\n", 'parsers/evtx/bad.ts');
    expect(ids).toContain('@typescript-eslint/no-restricted-imports');
  });

  it('rejects a parser importing node:fs or reading process', async () => {
    const ids = await ruleIds("import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\nexport const z = process.argv;\n", 'parsers/pe/bad.ts');
    expect(ids).toContain('@typescript-eslint/no-restricted-imports');
    expect(ids).toContain('no-restricted-globals');
  });

  it('rejects detection importing the collector', async () => {
    const ids = await ruleIds("import { c } from '../collector/fs-view.js';\nexport const y = c;\n", 'detection/bad.ts');
    expect(ids).toContain('@typescript-eslint/no-restricted-imports');
  });

  it('rejects a report template importing detection code, allows the result type', async () => {
    const bad = await ruleIds("import { analyze } from '../detection/analyze.js';\nexport const y = analyze;\n", 'report-templates/bad.ts');
    expect(bad).toContain('@typescript-eslint/no-restricted-imports');
    const valueImport = await ruleIds("import { SCHEMA } from '../detection/analysis-result.js';\nexport const y = SCHEMA;\n", 'report-templates/bad2.ts');
    expect(valueImport).toContain('@typescript-eslint/no-restricted-imports');
    const ok = await ruleIds("import type { AnalysisResult } from '../detection/analysis-result.js';\nexport type Y = AnalysisResult;\n", 'report-templates/ok.ts');
    expect(ok).toEqual([]);
  });

  it('accepts a parser importing parsers/common', async () => {
    const ids = await ruleIds("import { ByteReader } from '../common/byte-reader.js';\nexport const y = ByteReader;\n", 'parsers/evtx/ok.ts');
    expect(ids).toEqual([]);
  });

  it('rejects process.exit outside cli/main.ts', async () => {
    const ids = await ruleIds('export function f(): void {\n  process.exit(1);\n}\n', 'collector/bad.ts');
    expect(ids).toContain('no-restricted-properties');
  });
});
