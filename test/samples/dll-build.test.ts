/**
 * The committed sample DLLs are reproducible from their sources: where Debian's mingw-w64 is
 * installed (developer machines), build.sh --check builds twice into temp folders and compares
 * both with scripts/samples/dlls/out byte for byte. It compiles 16 DLLs (about 20 s of CPU,
 * minutes on a loaded machine), so it runs only when asked: ESPY_DLL_BUILD_CHECK=1. CI has no
 * cross compiler; there the committed binaries are checked by pefile and yara (dlls.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const HAS_MINGW = existsSync('/usr/bin/x86_64-w64-mingw32-gcc') && existsSync('/usr/bin/x86_64-w64-mingw32-dlltool') && existsSync('/usr/bin/x86_64-w64-mingw32-windres');

const ASKED = process.env.ESPY_DLL_BUILD_CHECK === '1';

it.skipIf(!HAS_MINGW || !ASKED)('build.sh --check: two builds are byte-identical and equal the committed DLLs', { timeout: 600_000 }, () => {
  const r = spawnSync('sh', [join(REPO_ROOT, 'scripts', 'samples', 'dlls', 'build.sh'), '--check'], { encoding: 'utf8', timeout: 590_000 });
  expect(r.stderr).not.toMatch(/NOT deterministic/);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('deterministic: two builds are byte-identical and match out/');
});
