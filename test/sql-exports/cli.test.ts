// `espy sql-script [--out FILE]`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSqlScriptArgs } from '../../cli/commands/sql-script.js';
import { TRIAGE_SQL } from '../../collector/sql/triage-sql.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'espy-sql-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('espy sql-script', () => {
  it('prints the triage script on stdout (ASCII only, so sqlcmd reads it in any code page)', async () => {
    const r = await runCli(['sql-script']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(TRIAGE_SQL);
    expect([...TRIAGE_SQL].filter((ch) => ch !== '\n' && ch !== '\t' && (ch < ' ' || ch > '~'))).toEqual([]);
  });

  it('--out FILE writes it and says how to run it', async () => {
    const r = await runCli(['sql-script', '--out', 'triage.sql'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(join(dir, 'triage.sql'), 'utf8')).toBe(TRIAGE_SQL);
    expect(r.stderr).toMatch(/sqlcmd -E -S <server\\instance> -i espy-triage\.sql -s "\|" -W/);
  });

  it('--json gives the script and its section contract', async () => {
    const r = await runCli(['--json', 'sql-script']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { script: string; separator: string; sections: { label: string; columns: string[] }[] };
    expect(j.script).toBe(TRIAGE_SQL);
    expect(j.separator).toBe('|');
    expect(j.sections.find((s) => s.label === 'ESPY:extended_procedures')?.columns).toEqual(['name', 'dll_name', 'create_date', 'modify_date', 'is_ms_shipped']);
  });

  it('flag parsing', async () => {
    expect(parseSqlScriptArgs({})).toEqual({});
    expect(parseSqlScriptArgs({ out: 'x.sql' })).toEqual({ out: 'x.sql' });
    expect(() => parseSqlScriptArgs({ out: '' })).toThrow(/invalid --out/);
    const bad = await runCli(['sql-script', '--bogus']);
    expect(bad.code).toBe(2);
  });
});
