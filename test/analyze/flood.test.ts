/**
 * Floods in the analysis: a host whose ERRORLOG names more DLLs than the budget of names and
 * matches a rule more often than the matches kept per rule, and one whose export registers
 * more ESPs than the analysis follows. What is kept is bounded, what is
 * not is counted, and the flood is a finding: the host never looks cleaner for it.
 */
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownEspSets } from '../../cli/analysis-setup.js';
import { openEvidence } from '../../collector/index.js';
import type { AnalysisResult } from '../../detection/analysis-result.js';
import { MAX_ESP_EXPORT_ROWS, MAX_HITS_PER_RULE } from '../../detection/analyze/flood.js';
import { analyze } from '../../detection/analyze/run.js';
import { decideVerdict } from '../../detection/analyze/verdict.js';
import { MAX_NAMED_DLLS, NamedDllBudget } from '../../detection/mssql/index.js';
import { SAMPLES } from '../support/paths.js';
import { shippedSigmaFiles } from '../support/scan-compare.js';

const OPTS = { sigma: shippedSigmaFiles(), known: knownEspSets(), espyVersion: 'test', generatedAt: '2026-01-01T00:00:00.000Z' };
const LOG = ['Program Files', 'Microsoft SQL Server', 'MSSQL14.MSSQLSERVER', 'MSSQL', 'Log', 'ERRORLOG'];
const PAST = 700;
const work = mkdtempSync(join(tmpdir(), 'espy-flood-'));

const using = (i: number): string =>
  `2026-03-13 09:00:00.00 spid51      Using 'C:\\Gone\\x${i}.dll' version '1.0' to execute extended stored procedure 'p${i}'. This is an informational message only; no user action is required.\r\n`;

let clean: AnalysisResult;
let flooded: AnalysisResult;

beforeAll(async () => {
  cpSync(join(SAMPLES, 'host-clean'), join(work, 'clean'), { recursive: true });
  cpSync(join(SAMPLES, 'host-clean'), join(work, 'flooded'), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < MAX_NAMED_DLLS + PAST; i++) lines.push(using(i));
  appendFileSync(join(work, 'flooded', ...LOG), Buffer.from(lines.join(''), 'utf16le'));
  clean = await analyze(await openEvidence(join(work, 'clean')), OPTS);
  flooded = await analyze(await openEvidence(join(work, 'flooded')), OPTS);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a flood of DLL names in the ERRORLOG', () => {
  it('follows at most MAX_NAMED_DLLS of its names, counts the rest, and says so in a finding', () => {
    const gone = flooded.esps.filter((e) => e.dll.startsWith('C:\\Gone\\'));
    // The ERRORLOG's own names of host-clean took a few places of its budget.
    expect(gone.length).toBeLessThanOrEqual(MAX_NAMED_DLLS);
    expect(gone.length).toBeGreaterThan(MAX_NAMED_DLLS - 10);
    const flood = flooded.findings.find((f) => f.ruleId === 'espy.flood.named-dlls');
    expect(flood?.count).toBe(MAX_NAMED_DLLS + PAST - gone.length);
    expect(flood?.severity).toBe('high');
    // Its example is the first name not followed, where the log names it.
    const first = MAX_NAMED_DLLS + PAST - (flood?.count ?? 0);
    expect(flood?.evidence[0]?.excerpt).toContain(`C:\\Gone\\x${first}.dll`);
    expect(flooded.esps.some((e) => e.dll === `C:\\Gone\\x${first}.dll`)).toBe(false);
    expect(clean.findings.some((f) => f.ruleId === 'espy.flood.named-dlls')).toBe(false);
  });

  it('keeps MAX_HITS_PER_RULE matches of a rule whole and counts every match in its finding', () => {
    const rule = flooded.findings.find((f) => f.title === 'MSSQL Extended Stored Procedure DLL Loaded From Outside Binn');
    expect(rule?.count).toBe(MAX_NAMED_DLLS + PAST);
    expect(rule?.explanation).toContain(`the first ${MAX_HITS_PER_RULE} are kept whole`);
    const inTimeline = flooded.timeline.filter((t) => t.ruleIds.includes(rule?.ruleId ?? '-'));
    expect(inTimeline).toHaveLength(MAX_HITS_PER_RULE);
  });

  it('the flood finding alone keeps a verdict from reading clean', () => {
    const flood = flooded.findings.filter((f) => f.ruleId === 'espy.flood.named-dlls');
    expect(flood).toHaveLength(1);
    expect(decideVerdict(flood, [], []).verdict).toBe('SUSPICIOUS');
  });
});

describe('a flood of registered ESPs in the export', () => {
  it('follows the first MAX_ESP_EXPORT_ROWS rows, counts the rest in a finding of its own', async () => {
    const host = join(work, 'registered');
    cpSync(join(SAMPLES, 'host-clean'), host, { recursive: true });
    const rows = ['name,dll_name,create_date,modify_date,is_ms_shipped'];
    for (let i = 0; i < MAX_ESP_EXPORT_ROWS + PAST; i++) rows.push(`xp_${i},C:\\Reg\\r${i % 100}.dll,2024-11-05 15:12:09.470,2024-11-05 15:12:09.470,0`);
    writeFileSync(join(host, 'sql', 'extended_procedures.csv'), `${rows.join('\r\n')}\r\n`);
    const r = await analyze(await openEvidence(host), OPTS);
    const flood = r.findings.find((f) => f.ruleId === 'espy.flood.esp-export');
    expect(flood?.count).toBe(PAST);
    expect(flood?.evidence[0]?.excerpt).toBe(`xp_${MAX_ESP_EXPORT_ROWS} → C:\\Reg\\r${MAX_ESP_EXPORT_ROWS % 100}.dll`);
    expect(flood?.evidence[0]?.line).toBe(MAX_ESP_EXPORT_ROWS + 2);
    const procedures = r.esps.filter((e) => e.dll.startsWith('C:\\Reg\\')).reduce((n, e) => n + e.procedures.length, 0);
    expect(procedures).toBe(MAX_ESP_EXPORT_ROWS);
    expect(r.findings.some((f) => f.ruleId === 'espy.flood.named-dlls')).toBe(false);
  });
});

describe('NamedDllBudget', () => {
  it('gives each kind of evidence its own MAX_NAMED_DLLS; a name admitted once is admitted from anywhere', () => {
    const b = new NamedDllBudget();
    for (let i = 0; i < MAX_NAMED_DLLS; i++) expect(b.admit(`C:\\E\\x${i}.dll`, 'errorlog')).toBe(true);
    expect(b.admit('C:\\E\\late.dll', 'errorlog')).toBe(false);
    // A flood of ERRORLOG lines does not push out what the event logs or the export name.
    expect(b.admit('C:\\ProgramData\\real.dll', 'evtx')).toBe(true);
    expect(b.admit('C:\\ProgramData\\REAL.dll', 'errorlog')).toBe(true);
    expect(b.admit('C:/ProgramData//real.dll', 'errorlog')).toBe(true);
    expect(b.admit('xp_reg.dll', 'export')).toBe(true);
    expect(b.refused).toBe(1);
  });

  it('counts a name refused twice in a row once, and a name refused again much later again', () => {
    const b = new NamedDllBudget();
    for (let i = 0; i < MAX_NAMED_DLLS; i++) b.admit(`x${i}.dll`, 'evtx');
    b.admit('late.dll', 'evtx');
    b.admit('LATE.dll', 'evtx');
    expect(b.refused).toBe(1);
    for (let i = 0; i < 1_000; i++) b.admit(`later${i}.dll`, 'evtx');
    b.admit('late.dll', 'evtx');
    expect(b.refused).toBe(1_002);
  });
});
