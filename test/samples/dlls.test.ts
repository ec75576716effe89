/**
 * The sample DLLs as independent tools see them: Debian's python3-pefile lists the expected
 * exports and opends60.dll imports; Debian's yara with DCSO's published Maggie rule matches the
 * Maggie-like DLL and no other file under samples/.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ORACLES, requireOracle, runOracle, runPython } from '../support/oracles.js';
import { REPO_ROOT, SAMPLES, SHARED } from '../support/paths.js';

const MAGGIE_RULE = join(SHARED, 'reference', 'published-rules', 'maggie_dcso.yar');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const XPSTAR = ['__GetXpVersion', 'xp_dirtree', 'xp_fixeddrives', 'xp_instance_regread', 'xp_instance_regwrite', 'xp_regenumvalues', 'xp_regread', 'xp_regwrite'];
const XPLOG70 = ['__GetXpVersion', 'xp_cmdshell', 'xp_enumgroups', 'xp_logevent', 'xp_loginconfig', 'xp_msver'];
const XPSQLBOT = ['__GetXpVersion', 'xp_qv'];
const binn = (folder: string): Array<[string, string[]]> => [
  [`Program Files/Microsoft SQL Server/${folder}/MSSQL/Binn/xpstar.dll`, XPSTAR],
  [`Program Files/Microsoft SQL Server/${folder}/MSSQL/Binn/xplog70.dll`, XPLOG70],
  [`Program Files/Microsoft SQL Server/${folder}/MSSQL/Binn/xpsqlbot.dll`, XPSQLBOT],
];

/** Every DLL under samples/ with the exports it must have. */
const EXPECTED: Array<[string, string[]]> = [
  ['host-maggie/ProgramData/ExtendedProcedure.dll', ['__GetXpVersion', 'maggie']],
  ['host-renamed/Windows/Temp/dbmaint64.dll', ['__GetXpVersion', 'xp_dbmaint']],
  ...binn('MSSQL14.MSSQLSERVER').map(([p, e]): [string, string[]] => [`host-maggie/${p}`, e]),
  ...binn('MSSQL14.MSSQLSERVER').map(([p, e]): [string, string[]] => [`host-clean/${p}`, e]),
  ...binn('MSSQL13.REPORTING').map(([p, e]): [string, string[]] => [`host-renamed/${p}`, e]),
  ...binn('MSSQL14.MSSQLSERVER').map(([p, e]): [string, string[]] => [`host-trojan/${p}`, e]),
  ...binn('MSSQL14.MSSQLSERVER').map(([p, e]): [string, string[]] => [`host-vendor/${p}`, e]),
  ...binn('MSSQL14.MSSQLSERVER').map(([p, e]): [string, string[]] => [`host-wiped/${p}`, e]),
  ['host-vendor/Program Files/Contoso/SQL Audit/ctxaudit.dll', ['__GetXpVersion', 'xp_ctx_audit_flush', 'xp_ctx_audit_status']],
];

const PEFILE_SCRIPT = `
import sys, json, pefile
pe = pefile.PE(sys.argv[1])
print(json.dumps({
  'machine': pe.FILE_HEADER.Machine,
  'isDll': bool(pe.FILE_HEADER.Characteristics & 0x2000),
  'magic': pe.OPTIONAL_HEADER.Magic,
  'exports': sorted(e.name.decode() for e in pe.DIRECTORY_ENTRY_EXPORT.symbols if e.name),
  'imports': {d.dll.decode().lower(): sorted(i.name.decode() for i in d.imports if i.name) for d in pe.DIRECTORY_ENTRY_IMPORT},
}))
`;

interface PeFacts { machine: number; isDll: boolean; magic: number; exports: string[]; imports: Record<string, string[]> }

describe('sample DLLs', () => {
  it('the expected DLLs and only those are in samples/', () => {
    const found = walk(SAMPLES).filter((p) => p.toLowerCase().endsWith('.dll')).map((p) => relative(SAMPLES, p)).sort();
    expect(found).toEqual(EXPECTED.map(([p]) => p).sort());
  });

  it.each(EXPECTED)('pefile reads %s: PE32+ x64 DLL, exports, opends60 imports', (rel, exports) => {
    if (!requireOracle('python3')) return;
    const pe = JSON.parse(runPython(PEFILE_SCRIPT, [join(SAMPLES, rel)])) as PeFacts;
    expect(pe.machine).toBe(0x8664);
    expect(pe.isDll).toBe(true);
    expect(pe.magic).toBe(0x20b);
    expect(pe.exports).toEqual(exports);
    expect(pe.imports['opends60.dll']).toEqual(expect.arrayContaining(['srv_senddone', 'srv_sendmsg']));
    expect(Object.keys(pe.imports)).toContain('kernel32.dll');
  });

  it('only host-maggie\'s DLL carries the word maggie; the renamed host has it nowhere', () => {
    for (const p of walk(join(SAMPLES, 'host-renamed'))) {
      const b = readFileSync(p);
      expect(b.includes(Buffer.from('maggie', 'latin1')) || b.toString('latin1').toLowerCase().includes('maggie') || Buffer.from(b).toString('utf16le').toLowerCase().includes('maggie'), relative(SAMPLES, p)).toBe(false);
    }
  });

  it('yara with the published Maggie rule matches the Maggie-like DLL and no other sample file', () => {
    if (!requireOracle('yara')) return;
    const r = runOracle(ORACLES.yara, ['-r', MAGGIE_RULE, SAMPLES]);
    expect(r.status).toBe(0);
    const hits = r.stdout.trim().split('\n').filter(Boolean).map((l) => {
      const [rule, file] = l.split(/ (.+)/) as [string, string];
      return `${rule} ${relative(SAMPLES, file)}`;
    });
    expect(hits).toEqual(['maggie_backdoor host-maggie/ProgramData/ExtendedProcedure.dll']);
  });

  it('the committed DLLs in samples/ are the build outputs in scripts/samples/dlls/out', () => {
    const out = join(REPO_ROOT, 'scripts', 'samples', 'dlls', 'out');
    const same = (a: string, b: string): boolean => readFileSync(join(SAMPLES, a)).equals(readFileSync(join(out, b)));
    expect(same('host-maggie/ProgramData/ExtendedProcedure.dll', 'maggie-like.dll')).toBe(true);
    expect(same('host-renamed/Windows/Temp/dbmaint64.dll', 'dbmaint64.dll')).toBe(true);
    expect(same('host-renamed/Program Files/Microsoft SQL Server/MSSQL13.REPORTING/MSSQL/Binn/xpstar.dll', 'xpstar-2016.dll')).toBe(true);
    expect(same('host-clean/Program Files/Microsoft SQL Server/MSSQL14.MSSQLSERVER/MSSQL/Binn/xplog70.dll', 'xplog70.dll')).toBe(true);
  });
});
