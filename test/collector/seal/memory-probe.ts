/**
 * Memory probe for sealed bundles, run as its own process (so that peak RSS is its own):
 * collects a host whose Security.evtx is a sparse file of SIZE bytes into a sealed bundle
 * stored without compression (the sealed file is SIZE bytes too), then verifies it through
 * the decrypted chunks. Prints one JSON line with the peak RSS after each step.
 *   tsx test/collector/seal/memory-probe.ts 256M [--age]
 * With --age, Debian's age decrypts the bundle into bsdtar, which must list manifest.json.
 * Exits 1 when verify fails, age's listing lacks the manifest, or the peak RSS grew more than
 * GROWTH_BOUND_MIB over its value before collecting (memory must not follow the bundle size).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect } from '../../../collector/collect/index.js';
import { verifyBundle, writeNewIdentity, readIdentityFile } from '../../../collector/index.js';
import { parseSize } from '../../../cli/commands/collect.js';
import { baseOptions, hostTree } from '../fixtures.js';
import { testdir } from '../testdir.js';

/** Peak RSS growth allowed from before the collection to after the verify. */
export const GROWTH_BOUND_MIB = 128;

const mib = (kib: number): number => Math.round(kib / 1024);
const peak = (): number => mib(process.resourceUsage().maxRSS);

async function main(): Promise<void> {
  const size = parseSize(process.argv[2] ?? '256M') ?? 0;
  const withAge = process.argv.includes('--age');
  const work = mkdtempSync(join(tmpdir(), 'espy-seal-mem-'));
  const t = testdir(hostTree());
  try {
    const evtx = join(t.dir, 'Windows', 'System32', 'winevt', 'Logs', 'Security.evtx');
    const fd = openSync(evtx, 'w');
    writeSync(fd, Buffer.from('ElfFile\0'));
    ftruncateSync(fd, size);
    closeSync(fd);
    const idFile = join(work, 'id.txt');
    const recipient = await writeNewIdentity(idFile, new Date());
    const atStart = peak();
    const res = await collect(baseOptions(t.dir, join(work, 'out'), { recipients: [recipient], level: 0, maxFileSize: 8 * 1024 ** 3 }));
    const afterSeal = peak();
    const rep = await verifyBundle(res.bundlePath, { identities: await readIdentityFile(idFile) });
    const afterVerify = peak();
    let ageLists: boolean | undefined;
    if (withAge) {
      const r = spawnSync('sh', ['-c', 'age -d -i "$1" "$2" | bsdtar -tf -', 'sh', idFile, res.bundlePath], { encoding: 'utf8', maxBuffer: 1 << 24 });
      ageLists = r.status === 0 && r.stdout.split('\n').includes('manifest.json');
    }
    const growth = afterVerify - atStart;
    const out = {
      dataBytes: size,
      sealedBytes: statSync(res.bundlePath).size,
      verifyOk: rep.ok,
      checked: rep.checked,
      peakRssMiB: { atStart, afterSeal, afterVerify },
      growthMiB: growth,
      boundMiB: GROWTH_BOUND_MIB,
      ...(withAge ? { ageLists } : {}),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    if (!rep.ok || ageLists === false || growth > GROWTH_BOUND_MIB) process.exitCode = 1;
  } finally {
    t.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
