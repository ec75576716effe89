import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePe, type PeInfo } from '../../parsers/pe/index.js';
import { requireOracle, runPython } from '../support/oracles.js';
import { REPO_ROOT, SAMPLES } from '../support/paths.js';
import { buildPe } from '../pe/build-pe.js';

/**
 * Differential test against Debian's python3-pefile (2023.2.7): exports, imports, delay
 * imports, sections, imphash, version info, on espy's fixtures, the sample hosts' DLLs and the
 * real mingw-w64 runtime DLLs from Debian packages (plus any other PE files found in the
 * optional locations below).
 */

const MINGW_DIRS = ['/usr/lib/gcc/x86_64-w64-mingw32', '/usr/x86_64-w64-mingw32/lib'];
/** Extra real PE files when present on the machine (pip/setuptools launchers: PE32 and PE32+ with version info). */
const OPTIONAL_DIRS = ['/usr/lib/python3/dist-packages/pip/_vendor/distlib', '/usr/share/python-wheels'];

function walk(dir: string, depth: number, out: string[]): void {
  if (depth > 6 || !existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) walk(p, depth + 1, out);
    else if (/\.(dll|exe)$/i.test(name) && st.size > 0) out.push(p);
  }
}

function peFiles(): string[] {
  const out: string[] = [];
  walk(join(REPO_ROOT, 'test', 'fixtures', 'pe'), 0, out);
  walk(SAMPLES, 0, out);
  // ESPY_DIFF_PE_DIRS (colon-separated) adds more folders of real PE files for a local run.
  const extra = (process.env.ESPY_DIFF_PE_DIRS ?? '').split(':').filter(Boolean);
  for (const d of [...MINGW_DIRS, ...OPTIONAL_DIRS, ...extra]) walk(d, 0, out);
  // Synthetic PE32 and PE32+ (no 32-bit DLL ships in the Debian packages CI installs).
  const tmp = mkdtempSync(join(tmpdir(), 'espy-pe-diff-'));
  for (const is64 of [false, true]) {
    const p = join(tmp, `synthetic-pe${is64 ? '64' : '32'}.dll`);
    writeFileSync(
      p,
      buildPe({
        is64,
        dllName: 'synth.dll',
        exports: [
          { name: '__GetXpVersion', ordinal: 1 },
          { name: 'xp_synth', ordinal: 3 },
          { name: null, ordinal: 4 },
        ],
        imports: [
          { dll: 'opends60.dll', functions: [{ name: 'srv_rpcparams' }] },
          { dll: 'oleaut32.dll', functions: [{ ordinal: 2 }, { ordinal: 9999 }] },
          { dll: 'WS2_32.dll', functions: [{ ordinal: 23 }] },
        ],
      }),
    );
    out.push(p);
  }
  // 12-posix and 12-win32 hold byte-identical copies of most DLLs: keep one of each name per tree.
  return out.filter((p) => !p.includes('-posix/'));
}

const PEFILE_DUMP = String.raw`
import json, sys, pefile
def s(b): return b.decode('latin-1') if isinstance(b, bytes) else b
out = {}
for path in sys.argv[1:]:
    try:
        pe = pefile.PE(path, max_symbol_exports=65536)  # pefile caps exports at 8192 by default; espy reads up to 65536
    except Exception as e:
        out[path] = {'error': str(e)}
        continue
    d = {'is64': pe.OPTIONAL_HEADER.Magic == 0x20b, 'timeDateStamp': pe.FILE_HEADER.TimeDateStamp,
         'sections': [[s(x.Name).rstrip('\x00'), x.VirtualAddress, x.Misc_VirtualSize, x.PointerToRawData, x.SizeOfRawData] for x in pe.sections],
         'imphash': pe.get_imphash(), 'exports': [], 'imports': [], 'delay': [], 'strings': {}, 'fileVersion': None}
    if hasattr(pe, 'DIRECTORY_ENTRY_EXPORT'):
        d['exports'] = sorted([[e.ordinal, s(e.name), s(e.forwarder)] for e in pe.DIRECTORY_ENTRY_EXPORT.symbols], key=lambda x: x[0])
    for e in getattr(pe, 'DIRECTORY_ENTRY_IMPORT', []):
        d['imports'].append([s(e.dll), [[s(i.name) if not i.import_by_ordinal else None, i.ordinal if i.import_by_ordinal else None] for i in e.imports]])
    for e in getattr(pe, 'DIRECTORY_ENTRY_DELAY_IMPORT', []):
        d['delay'].append([s(e.dll), [[s(i.name) if not i.import_by_ordinal else None, i.ordinal if i.import_by_ordinal else None] for i in e.imports]])
    for fi in getattr(pe, 'FileInfo', []) or []:
        for entry in fi:
            if getattr(entry, 'Key', b'') == b'StringFileInfo':
                for st in entry.StringTable:
                    for k, v in st.entries.items():
                        d['strings'].setdefault(s(k), s(v))
    if hasattr(pe, 'VS_FIXEDFILEINFO'):
        f = pe.VS_FIXEDFILEINFO[0]
        d['fileVersion'] = '%d.%d.%d.%d' % (f.FileVersionMS >> 16, f.FileVersionMS & 0xffff, f.FileVersionLS >> 16, f.FileVersionLS & 0xffff)
    out[path] = d
print(json.dumps(out))
`;

interface PefileView {
  error?: string;
  is64: boolean;
  timeDateStamp: number;
  sections: [string, number, number, number, number][];
  imphash: string;
  exports: [number, string | null, string | null][];
  imports: [string, [string | null, number | null][]][];
  delay: [string, [string | null, number | null][]][];
  strings: Record<string, string>;
  fileVersion: string | null;
}

function ours(pe: PeInfo): Omit<PefileView, 'error'> {
  const fn = (f: { name: string | null; ordinal: number | null }): [string | null, number | null] => [f.name, f.ordinal];
  return {
    is64: pe.is64,
    timeDateStamp: pe.timeDateStamp,
    sections: pe.sections.map((s) => [s.name, s.virtualAddress, s.virtualSize, s.pointerToRawData, s.sizeOfRawData]),
    imphash: pe.imphash,
    exports: pe.exports.map((e): [number, string | null, string | null] => [e.ordinal, e.name, e.forwarder]).sort((a, b) => a[0] - b[0]),
    imports: pe.imports.map((i): [string, [string | null, number | null][]] => [i.dll, i.functions.map(fn)]),
    delay: pe.delayImports.map((i): [string, [string | null, number | null][]] => [i.dll, i.functions.map(fn)]),
    strings: pe.versionInfo?.strings ?? {},
    fileVersion: pe.versionInfo?.fileVersion ?? null,
  };
}

/** Path and both values of the first difference, or null (so a failure names the field). */
function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path}: ours ${JSON.stringify(a)} pefile ${JSON.stringify(b)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

describe.runIf(requireOracle('python3'))('PE parser agrees with python3-pefile', () => {
  const files = peFiles();
  it('has real PE files to compare (fixtures + Debian mingw-w64 runtime DLLs)', () => {
    expect(files.filter((f) => f.startsWith('/usr/')).length).toBeGreaterThanOrEqual(5);
  });
  const oracle = JSON.parse(runPython(PEFILE_DUMP, files, 300_000)) as Record<string, PefileView>;
  it.each(files)('%s', (file) => {
    const want = oracle[file];
    expect(want?.error, `pefile failed on ${file}`).toBeUndefined();
    const got = ours(parsePe(new Uint8Array(readFileSync(file))));
    const { error: _e, ...expected } = want ?? ({} as PefileView);
    expect(firstDifference(got, expected), 'first difference vs pefile').toBeNull();
    expect(got).toEqual(expected);
  });
});
