/**
 * The cost of protecting a bundle, for `npm run bench:collect`: the collector alone (no
 * analysis, which is the same in every mode) writes the same source as a plain zip, an
 * AES-256 zip (`--password-env`) and a sealed age file (`--recipient`), best of N rounds,
 * each mode once per round in turn. Returns the rows and prints them with the ratios to plain.
 */
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { collect, type CollectOptions } from '../../collector/index.js';

export interface SealCostRow {
  source: string;
  mode: 'plain' | 'aes' | 'sealed';
  seconds: number;
  bundleMiB: number;
  ratioToPlain: number;
}

const MODES = ['plain', 'aes', 'sealed'] as const;

function options(source: string, outDir: string, level: number, extra: Partial<CollectOptions>): CollectOptions {
  return {
    source,
    outDir,
    sweep: 'none',
    copyBinn: false,
    noSql: true,
    maxFileSize: 4 * 1024 ** 3,
    level,
    signal: new AbortController().signal,
    now: () => new Date(),
    espyVersion: 'bench',
    recordedOptions: {},
    localHost: { hostname: 'bench', platform: process.platform },
    ...extra,
  };
}

export async function sealCost(label: string, source: string, work: string, rounds: number, level: number): Promise<SealCostRow[]> {
  const recipient = await identityToRecipient(await generateX25519Identity());
  const extra: Record<(typeof MODES)[number], Partial<CollectOptions>> = {
    plain: {},
    aes: { password: Buffer.from('bench-password-not-secret') },
    sealed: { recipients: [recipient] },
  };
  const best = new Map<string, { ms: number; bytes: number }>();
  for (let r = 0; r < rounds; r++) {
    for (const mode of MODES) {
      const out = join(work, `seal-cost-${mode}`);
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
      const t0 = performance.now();
      const res = await collect(options(source, out, level, extra[mode]));
      const ms = performance.now() - t0;
      const bytes = statSync(res.bundlePath).size;
      const prev = best.get(mode);
      if (!prev || ms < prev.ms) best.set(mode, { ms, bytes });
      rmSync(out, { recursive: true, force: true });
    }
  }
  const plain = best.get('plain')?.ms ?? 1;
  const rows = MODES.map((mode) => {
    const b = best.get(mode) ?? { ms: 0, bytes: 0 };
    return { source: label, mode, seconds: +(b.ms / 1000).toFixed(3), bundleMiB: +(b.bytes / 1048576).toFixed(2), ratioToPlain: +(b.ms / plain).toFixed(3) };
  });
  for (const row of rows) {
    process.stderr.write(`${label}: ${row.mode.padEnd(6)} ${row.seconds.toFixed(3)} s  ${row.bundleMiB} MiB  ×${row.ratioToPlain.toFixed(2)} of plain (collector only, best of ${rounds})\n`);
  }
  return rows;
}
