import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScanArgs, type ScanRow } from '../../cli/commands/scan.js';
import { runCli } from '../support/cli.js';
import { PE_FIXTURES } from '../pe/fixtures.js';
import { PUBLISHED_MAGGIE_RULE } from '../yara/support.js';

const rows = (stdout: string): ScanRow[] =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ScanRow);

describe('parseScanArgs', () => {
  it('defaults and repeatable --yara', () => {
    const a = parseScanArgs(['x'], { yara: ['a.yar', 'dir'] }, true);
    expect(a).toMatchObject({ paths: ['x'], yara: ['a.yar', 'dir'], builtinRules: true, json: true, timeoutMs: 30_000 });
    expect(parseScanArgs(['x'], { builtinRules: false, maxSize: '1024', timeout: '5' }, false)).toMatchObject({ builtinRules: false, maxSize: 1024, timeoutMs: 5000 });
  });
  it('rejects bad numbers', () => {
    expect(() => parseScanArgs(['x'], { maxSize: 'lots' }, false)).toThrow(/scan: invalid maxSize/);
  });
});

describe('espy scan (end to end, in process)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'espy-scan-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('--json classifies the sample hosts: ESP or not, Binn or not, Maggie-like or not', async () => {
    const r = await runCli(['scan', 'samples/host-maggie', 'samples/host-renamed', '--yara', PUBLISHED_MAGGIE_RULE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = rows(r.stdout);
    const byPath = new Map(out.map((x) => [x.path, x]));
    const maggie = byPath.get('C:\\ProgramData\\ExtendedProcedure.dll');
    expect(maggie).toMatchObject({ isPe: true, isEsp: true, location: 'outside', suspicion: 'malicious', signed: false });
    expect(maggie?.yara.map((h) => h.rule)).toEqual(expect.arrayContaining(['maggie_backdoor', 'espy_maggie_esp_backdoor']));
    expect(maggie?.yara.find((h) => h.rule === 'maggie_backdoor')?.source).toMatch(/published-rules\/maggie_dcso\.yar$/);
    expect(maggie?.times?.modified).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(byPath.get('C:\\Windows\\Temp\\dbmaint64.dll')).toMatchObject({ isEsp: true, location: 'outside', suspicion: 'suspicious', yara: [] });
    const binn = out.filter((x) => x.isPe && x.location === 'binn');
    expect(binn.length).toBe(6);
    for (const b of binn) expect(b).toMatchObject({ isEsp: true, yara: [], suspicion: 'unknown' });
    const evtx = out.find((x) => x.path.endsWith('\\Application.evtx'));
    expect(evtx).toMatchObject({ isPe: false, isEsp: false, yara: [] });
    for (const x of out) {
      for (const k of ['path', 'sha256', 'isPe', 'isEsp', 'espReasons', 'exports', 'imports', 'signed', 'suspicion', 'yara', 'diagnostics']) expect(x).toHaveProperty(k);
    }
    expect(r.stderr).toMatch(/scanned \d+ file\(s\): 8 PE, 8 ESP DLL\(s\)/);
  });

  it('human output names the verdict; a rule file with an error is reported by file:line and exits 3', async () => {
    const bad = join(tmp, 'bad.yar');
    writeFileSync(bad, 'rule ok { condition: true }\nrule broken { condition: $x }\n');
    const r = await runCli(['scan', join(PE_FIXTURES, 'maggie_like.dll'), '--yara', bad]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/bad\.yar:2: undefined string "\$x"/);
    expect(r.stdout).toMatch(/\[MALICIOUS\]\s+ESP DLL \(imports opends60.dll\)/);
  });

  it('walks folders without following symlinks; missing inputs are usage errors', async () => {
    const tree = join(tmp, 'drive');
    mkdirSync(join(tree, 'ProgramData'), { recursive: true });
    mkdirSync(join(tree, 'Windows'), { recursive: true });
    copyFileSync(join(PE_FIXTURES, 'xp_fixture.dll'), join(tree, 'ProgramData', 'x.dll'));
    writeFileSync(join(tree, 'ProgramData', 'notes.txt'), 'not a PE');
    symlinkSync(PE_FIXTURES, join(tree, 'ProgramData', 'link-out'));
    const r = await runCli(['scan', tree, '--no-builtin-rules', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = rows(r.stdout);
    expect(out.map((x) => x.path).sort()).toEqual(['C:\\ProgramData\\notes.txt', 'C:\\ProgramData\\x.dll']);
    expect(out.find((x) => x.path.endsWith('notes.txt'))).toMatchObject({ isPe: false, notPeReason: expect.stringContaining('pe:') });
    const missing = await runCli(['scan', join(tmp, 'nope')]);
    expect(missing.code).toBe(2);
  });

  it('--max-size: larger files are hashed and header-checked only', async () => {
    const r = await runCli(['scan', join(PE_FIXTURES, 'plain.dll'), '--no-builtin-rules', '--max-size', '100', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [row] = rows(r.stdout);
    expect(row).toMatchObject({ isPe: true, isEsp: false, suspicion: 'unknown' });
    expect(row?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.diagnostics.join()).toMatch(/max-size/);
  });
});

describe('espy scan --yara DIR', () => {
  it('loads every .yar/.yara under a folder and names each hit by its file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'espy-scan-rules-'));
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'a.yar'), 'rule user_mz { condition: uint16(0) == 0x5A4D }\n');
      writeFileSync(join(dir, 'sub', 'b.yara'), 'rule user_srv { strings: $s = "srv_rpcparams" condition: $s }\n');
      writeFileSync(join(dir, 'notes.txt'), 'rule not_loaded { condition: true }\n');
      const r = await runCli(['scan', join(PE_FIXTURES, 'xp_fixture.dll'), '--no-builtin-rules', '--yara', dir, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const [row] = rows(r.stdout);
      expect(row?.yara.map((h) => [h.rule, h.source.split(/[\\/]/).pop()])).toEqual([
        ['user_mz', 'a.yar'],
        ['user_srv', 'b.yara'],
      ]);
      expect(row?.suspicion).toBe('malicious'); // suspicious ESP outside Binn, raised by YARA hits
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
