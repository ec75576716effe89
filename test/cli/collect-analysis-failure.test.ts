/**
 * An analysis that fails inside `collect`: the bundle is kept and verifies, its collection
 * log names the failure, stderr says so in one line, and the run is partial (exit 3).
 */
import { readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openBundle } from '../../collector/bundle-reader.js';
import { verifyBundle } from '../../collector/verify.js';
import { parseCollectArgs } from '../../cli/commands/collect.js';
import { runCollect } from '../../cli/collect-run.js';
import { createContext } from '../../cli/context.js';
import { ESPY_VERSION } from '../../cli/version.js';
import { SAMPLES } from '../support/paths.js';

const out = mkdtempSync(join(tmpdir(), 'espy-collect-analysis-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function fakeProcess(): { proc: Parameters<typeof createContext>[0]; stderr: () => string } {
  let err = '';
  const stderr = new PassThrough();
  stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const proc = {
    cwd: () => out,
    env: {},
    argv: ['node', 'espy', 'collect'],
    stdout: new PassThrough() as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
  };
  return { proc, stderr: () => err };
}

describe('collect: the analysis fails', () => {
  it('keeps the bundle (it verifies), logs the failure in it, says so on stderr, and the run is partial (exit 3)', async () => {
    const { proc, stderr } = fakeProcess();
    const { ctx, close } = createContext(proc, {}, new AbortController().signal, ESPY_VERSION);
    const args = parseCollectArgs({ source: join(SAMPLES, 'host-clean'), out, sweep: 'none' });
    let calls = 0;
    const res = await runCollect(args, ctx, {
      analyse: () => {
        calls++;
        return Promise.reject(new Error('injected analysis failure'));
      },
    });
    await close();
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(1);
    expect(res['analysis']).toBe('failed (see collection.log)');
    expect(res['verdict']).toBeNull();
    // run() turns any partial reason into exit 3 (EXIT.PARTIAL).
    expect(ctx.partialReasons).toContain('the analysis failed');
    const lines = stderr().split('\n');
    expect(lines.filter((l) => /analysis failed/.test(l))).toEqual(['error: analysis failed: injected analysis failure']);
    expect(lines.filter((l) => /bundle is kept/.test(l))).toEqual([`warning: the bundle is kept without analysis.json and report.html: run espy analyze ${String(res['bundle'])}`]);

    const bundle = join(out, readdirSync(out).find((n) => n.endsWith('.zip')) ?? 'missing.zip');
    expect(res['bundle']).toBe(bundle);
    const v = await verifyBundle(bundle);
    expect(v.ok, JSON.stringify(v.problems)).toBe(true);
    const b = await openBundle(bundle);
    try {
      expect(b.entries.has('analysis.json')).toBe(false);
      const log = new TextDecoder().decode(await b.readBytes('collection.log', 1 << 20));
      expect(log).toContain('analysis failed: injected analysis failure');
    } finally {
      await b.close();
    }
  });
});
