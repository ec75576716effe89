/**
 * reg.exe that cannot be started is not a host without SQL Server: the live host says the
 * registry was not read, and the collection log carries that warning, while a missing
 * registry key (reg.exe's own exit code 1) still means "no instance" without a warning.
 */
import { describe, expect, it } from 'vitest';
import { collect } from '../../collector/collect/index.js';
import type { CommandRunner } from '../../collector/live/runner.js';
import { createWindowsLiveHost } from '../../collector/live/windows.js';
import { baseOptions, hostTree } from './fixtures.js';
import { tempDirs, testdir } from './testdir.js';

const { tmp, track } = tempDirs();

const notStarted: CommandRunner = (cmd) => Promise.resolve({ code: -1, stdout: Buffer.alloc(0), stderr: `spawn ${cmd} ENOENT`, failure: 'ENOENT' });
const noKey: CommandRunner = (cmd) =>
  Promise.resolve(
    cmd === 'reg.exe'
      ? { code: 1, stdout: Buffer.alloc(0), stderr: 'ERROR: The system was unable to find the specified registry key or value.' }
      : { code: -1, stdout: Buffer.alloc(0), stderr: `spawn ${cmd} ENOENT`, failure: 'ENOENT' },
  );

/** The warnings of a live collect of a small host tree on C: with this runner. */
async function liveCollectWarnings(runner: CommandRunner): Promise<string[]> {
  const c = testdir(hostTree());
  track(c.cleanup);
  const live = await createWindowsLiveHost({ runner, sysinfo: () => Promise.reject(new Error('no sysinfo in tests')), hostName: 'SQL01', probeDrives: ['C'], driveRoot: () => c.dir, noSql: true });
  const warnings: string[] = [];
  const opts = baseOptions(c.dir, tmp('espy-out-'), { live, noSql: true, sweep: 'none', log: (l, m) => (l === 'warn' ? warnings.push(m) : undefined) });
  delete opts.source;
  await collect(opts);
  return warnings;
}

describe('live host: reg.exe that cannot be started', () => {
  it('rejects with what was not read, not an empty instance list', async () => {
    const live = await createWindowsLiveHost({ runner: notStarted, hostName: 'SQL01', probeDrives: [] });
    try {
      await expect(live.sqlInstances()).rejects.toThrow(/reg\.exe could not be run \(ENOENT: spawn reg\.exe ENOENT\): SQL Server instances in the registry were not read/);
      await expect(live.sqlInstanceDirs?.()).rejects.toThrow(/reg\.exe could not be run \(ENOENT/);
      // Drives are still found (here: none probed), the registry failure does not stop them.
      await expect(live.drives()).resolves.toEqual({});
    } finally {
      await live.cleanup();
    }
  });

  it('collect warns that the registry was not read; a missing key is no instance and no warning', async () => {
    const failed = await liveCollectWarnings(notStarted);
    expect(
      failed.some((m) => /^reading SQL Server folders from the registry failed: reg\.exe could not be run \(ENOENT/.test(m)),
      failed.join('\n'),
    ).toBe(true);
    const none = await liveCollectWarnings(noKey);
    expect(none.filter((m) => m.includes('registry'))).toEqual([]);
  });
});
