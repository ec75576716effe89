/**
 * `npm run bench:scan`: espy's DLL analysis against its peers, side by side in one run.
 *
 * 1. PE classification over a folder of real DLLs (Debian's mingw-w64 runtime DLLs, the sample
 *    hosts' DLLs, espy's fixtures): espy's `classifyFile` (MD5/SHA-1/SHA-256, full PE parse,
 *    imphash, version info, ESP classification) vs Debian's python3-pefile doing the same work
 *    (the same three hashes, `pefile.PE` full load, exports, imports, version info, imphash).
 * 2. YARA throughput (MB/s) with espy's rules + the published Maggie rule over the same files:
 *    espy's libyara-wasm engine vs the native `yara` 4.2.3 CLI (one process, rules compiled
 *    once: one process per file as a responder scripting it would, and one process over a
 *    --scan-list; both single-threaded, as espy's engine is).
 *
 * 3. Authenticode: PE parse time over the same files with and without signature verification
 *    (image hash, SignerInfo, chain to the shipped Microsoft roots; one certificate cache per
 *    pass, as one scan or analysis run has), the ratio, and the same for the signed files alone.
 *
 * Prints times and ratios (espy / peer, so < 1 means espy is faster). Timing is printed, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KNOWN_ESPS, classifyFile, parseTrustAnchors } from '../../detection/esp/index.js';
import { createAuthenticodeCache, parsePe, verifyAuthenticode } from '../../parsers/pe/index.js';
import { createYaraEngine } from '../../detection/yara/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PYTHON = '/usr/bin/python3';
const YARA = '/usr/bin/yara';
const DLL_DIRS = [
  '/usr/lib/gcc/x86_64-w64-mingw32/12-win32',
  '/usr/x86_64-w64-mingw32/lib',
  join(ROOT, 'samples'),
  join(ROOT, 'test', 'fixtures', 'pe'),
  join(ROOT, 'scripts', 'samples', 'dlls', 'out'),
];
const RULES = [
  ...readdirSync(join(ROOT, 'rules', 'yara'))
    .filter((f) => f.endsWith('.yar'))
    .map((f) => join(ROOT, 'rules', 'yara', f)),
  resolve(ROOT, '..', 'shared', 'reference', 'published-rules', 'maggie_dcso.yar'),
];
const REPEAT = 3;

function dlls(): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (depth > 8 || !existsSync(d)) return;
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p, depth + 1);
      else if (/\.dll$/i.test(n)) out.push(p);
    }
  };
  for (const d of DLL_DIRS) walk(d, 0);
  return out;
}

const PEFILE_JOB = String.raw`
import hashlib, sys, time, pefile
files = sys.argv[1:]
t0 = time.perf_counter()
esp = 0
for f in files:
    data = open(f, 'rb').read()
    hashlib.md5(data).hexdigest(); hashlib.sha1(data).hexdigest(); hashlib.sha256(data).hexdigest()
    pe = pefile.PE(data=data, max_symbol_exports=65536)
    exports = [e.name for e in pe.DIRECTORY_ENTRY_EXPORT.symbols] if hasattr(pe, 'DIRECTORY_ENTRY_EXPORT') else []
    imports = [(e.dll, [i.name for i in e.imports]) for e in getattr(pe, 'DIRECTORY_ENTRY_IMPORT', [])]
    delay = [(e.dll, [i.name for i in e.imports]) for e in getattr(pe, 'DIRECTORY_ENTRY_DELAY_IMPORT', [])]
    strings = {}
    for fi in getattr(pe, 'FileInfo', []) or []:
        for entry in fi:
            if getattr(entry, 'Key', b'') == b'StringFileInfo':
                for st in entry.StringTable: strings.update(st.entries)
    pe.get_imphash()
    if any(d.lower() == b'opends60.dll' for d, _ in imports + delay) or b'__GetXpVersion' in exports: esp += 1
print(time.perf_counter() - t0, esp)
`;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (s: number): string => `${s.toFixed(3)} s`;

async function benchClassify(files: string[]): Promise<void> {
  const bytes = files.map((f) => new Uint8Array(readFileSync(f)));
  const total = bytes.reduce((a, b) => a + b.byteLength, 0);
  console.log(`\n== PE classification: ${files.length} DLLs, ${(total / 1e6).toFixed(1)} MB (best of ${REPEAT}, files pre-read by both sides) ==`);
  const ours: number[] = [];
  let esp = 0;
  const trust = parseTrustAnchors(readFileSync(join(ROOT, 'rules', 'trust', 'microsoft-roots.pem'), 'latin1'), 'microsoft-roots.pem', true);
  const authenticodeCache = createAuthenticodeCache();
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    esp = 0;
    for (let i = 0; i < files.length; i++) {
      const c = await classifyFile({ path: files[i] ?? '', bytes: bytes[i] ?? new Uint8Array() }, { knownEsps: KNOWN_ESPS, trust, authenticodeCache });
      if (c.isEsp) esp++;
    }
    ours.push((performance.now() - t0) / 1000);
  }
  // The verification inside classifyFile, timed alone over the same files with the same (warm) cache.
  const verifyTimes: number[] = [];
  const pes = bytes.map((b) => {
    try {
      return parsePe(b);
    } catch {
      return null;
    }
  });
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    for (let i = 0; i < bytes.length; i++) {
      const pe = pes[i];
      if (pe) verifyAuthenticode(bytes[i] ?? new Uint8Array(), pe, { anchors: trust, now: new Date(), cache: authenticodeCache });
    }
    verifyTimes.push((performance.now() - t0) / 1000);
  }
  const theirs: number[] = [];
  let pyEsp = 0;
  for (let r = 0; r < REPEAT; r++) {
    const p = spawnSync(PYTHON, ['-c', PEFILE_JOB, ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (p.status !== 0) throw new Error(`pefile job failed: ${p.stderr}`);
    const [secs, n] = p.stdout.trim().split(' ');
    theirs.push(Number(secs));
    pyEsp = Number(n);
  }
  const a = Math.min(...ours);
  const b = Math.min(...theirs);
  console.log(`espy classifyFile     ${fmt(a)}  (median ${fmt(median(ours))})  ESP DLLs found: ${esp}`);
  const v = Math.min(...verifyTimes);
  console.log(
    `  of which Authenticode ${fmt(v)}  (${((v / a) * 100).toFixed(1)}% of classifyFile; classifyFile without it would be ${fmt(a - v)}, so verification adds ${((v / (a - v)) * 100).toFixed(1)}%)`,
  );
  console.log(`python3-pefile        ${fmt(b)}  (median ${fmt(median(theirs))})  ESP DLLs found: ${pyEsp}`);
  console.log(`ratio espy/pefile     ${(a / b).toFixed(3)}  (espy is ${(b / a).toFixed(1)}x ${a < b ? 'faster' : 'slower'})`);
}

async function benchYara(files: string[]): Promise<void> {
  const bytes = files.map((f) => new Uint8Array(readFileSync(f)));
  const mb = bytes.reduce((a, b) => a + b.byteLength, 0) / 1e6;
  console.log(`\n== YARA: ${RULES.length} rule files over ${files.length} files, ${mb.toFixed(1)} MB ==`);
  const engine = createYaraEngine();
  let ourHits = 0;
  let ours: number;
  try {
    const c = await engine.compile(RULES.map((r) => ({ name: r, text: readFileSync(r, 'utf8') })));
    if (c.errors.length) throw new Error(`rule errors: ${JSON.stringify(c.errors)}`);
    const t0 = performance.now();
    for (const b of bytes) ourHits += (await c.scan(b, { timeoutMs: 120_000, maxMatches: 1000 })).hits.length;
    ours = (performance.now() - t0) / 1000;
  } finally {
    await engine.close();
  }
  // Native yara, one process, rules compiled once (yarac), files listed.
  const compiled = join(process.env.TMPDIR ?? '/tmp', `espy-bench-rules-${process.pid}.yarc`);
  const yc = spawnSync('/usr/bin/yarac', [...RULES, compiled], { encoding: 'utf8' });
  if (yc.status !== 0) throw new Error(`yarac failed: ${yc.stderr}`);
  let t0 = performance.now();
  let cliHits = 0;
  for (const f of files) {
    const p = spawnSync(YARA, ['-C', '-p', '1', compiled, f], { encoding: 'utf8' });
    cliHits += p.stdout.split('\n').filter(Boolean).length;
  }
  const perFile = (performance.now() - t0) / 1000;
  // Every file in one process, rules compiled once (--scan-list), one thread: yara's best case.
  const list = join(process.env.TMPDIR ?? '/tmp', `espy-bench-list-${process.pid}.txt`);
  writeFileSync(list, `${files.join('\n')}\n`);
  t0 = performance.now();
  const one = spawnSync(YARA, ['-C', '-p', '1', '--scan-list', compiled, list], { encoding: 'utf8' });
  const oneProc = (performance.now() - t0) / 1000;
  const folderHits = one.stdout.split('\n').filter(Boolean).length;
  rmSync(compiled, { force: true });
  rmSync(list, { force: true });
  console.log(`espy (libyara-wasm)          ${fmt(ours)}  ${(mb / ours).toFixed(1)} MB/s  hits ${ourHits}  (rules recompiled on every scan: a libyara-wasm limit)`);
  console.log(`yara CLI, one process/file   ${fmt(perFile)}  ${(mb / perFile).toFixed(1)} MB/s  hits ${cliHits}`);
  console.log(`yara CLI, one process (list)  ${fmt(oneProc)}  ${(mb / oneProc).toFixed(1)} MB/s  hits ${folderHits}`);
  console.log(`ratio espy/yara (per file)   ${(ours / perFile).toFixed(2)}   (MB/s: espy ${(mb / ours).toFixed(1)} vs ${(mb / perFile).toFixed(1)})`);
  console.log(`ratio espy/yara (one proc)   ${(ours / oneProc).toFixed(2)}   (MB/s: espy ${(mb / ours).toFixed(1)} vs ${(mb / oneProc).toFixed(1)})`);
}

type Mode = 'parse' | 'verify' | 'verify, warm cache';
const MODES: readonly Mode[] = ['parse', 'verify', 'verify, warm cache'];
/** Passes per mode; the modes take turns so that machine load hits them alike. */
const AUTHENTICODE_PASSES = 30;

/**
 * Best-of seconds of parsing every file, with or without verifying its signatures. `verify`
 * starts each pass with an empty certificate cache (every certificate parsed once per pass, as
 * at the start of a run); `verify, warm cache` reuses one filled by an earlier pass, as later
 * files of a Binn folder whose DLLs share Microsoft's certificates do.
 */
function parseTimes(bytes: readonly Uint8Array[]): Record<Mode, number> {
  const anchors = parseTrustAnchors(readFileSync(join(ROOT, 'rules', 'trust', 'microsoft-roots.pem'), 'latin1'), 'microsoft-roots.pem', true);
  const warm = createAuthenticodeCache();
  const pass = (mode: Mode): number => {
    const cache = mode === 'verify' ? createAuthenticodeCache() : warm;
    const now = new Date();
    const t0 = performance.now();
    for (const b of bytes) {
      const pe = parsePe(b);
      if (mode !== 'parse') verifyAuthenticode(b, pe, { anchors, now, cache });
    }
    return (performance.now() - t0) / 1000;
  };
  pass('verify, warm cache'); // JIT warm-up, and fills the warm cache
  const best: Record<Mode, number> = { parse: Infinity, verify: Infinity, 'verify, warm cache': Infinity };
  for (let r = 0; r < AUTHENTICODE_PASSES; r++) for (const m of MODES) best[m] = Math.min(best[m], pass(m));
  return best;
}

function benchAuthenticode(files: string[]): void {
  const all = files
    .map((f) => new Uint8Array(readFileSync(f)))
    .filter((b) => {
      try {
        parsePe(b);
        return true;
      } catch {
        return false;
      }
    });
  const signed = all.filter((b) => parsePe(b).signature.present);
  console.log(`\n== Authenticode: PE parse with and without verification (best of ${AUTHENTICODE_PASSES}; ${all.length} PE files, ${signed.length} signed) ==`);
  const ms = (s: number): string => `${(s * 1000).toFixed(2)} ms`;
  for (const [label, set] of [
    ['all PE files', all],
    ['signed files only', signed],
  ] as const) {
    const t = parseTimes(set);
    for (const mode of ['verify', 'verify, warm cache'] as const) {
      const ratio = t[mode] / t.parse;
      console.log(`${label.padEnd(18)} parse ${ms(t.parse)}  parse+${mode.padEnd(18)} ${ms(t[mode])}  ratio ${ratio.toFixed(3)} (${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%)`);
    }
  }
}

const files = dlls();
benchAuthenticode(files);
if (!existsSync(PYTHON) || !existsSync(YARA)) throw new Error('bench:scan needs Debian python3-pefile (/usr/bin/python3) and yara (/usr/bin/yara)');
await benchClassify(files);
await benchYara(files);
