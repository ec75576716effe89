import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPRESSION_LEVEL, parseCollectArgs, parseSize } from '../../cli/commands/collect.js';
import { UsageError } from '../../cli/exit-codes.js';
import { runCli } from '../support/cli.js';

describe('espy collect flags (parseCollectArgs)', () => {
  it('defaults', () => {
    expect(parseCollectArgs({})).toEqual({
      out: 'espy-out',
      sweep: 'smart',
      passwordPrompt: false,
      copyBinn: false,
      noSql: false,
      maxFileSize: 4 * 1024 ** 3,
      level: DEFAULT_COMPRESSION_LEVEL,
    });
  });

  it('every flag', () => {
    expect(
      parseCollectArgs({ source: 'img', sqlExport: 'sql', out: 'o', baseline: 'b.json', sweep: 'full', passwordEnv: 'PW', copyBinn: true, sql: false, maxFileSize: '500M', compressionLevel: '9' }),
    ).toEqual({
      source: 'img',
      sqlExport: 'sql',
      out: 'o',
      baseline: 'b.json',
      sweep: 'full',
      passwordEnv: 'PW',
      passwordPrompt: false,
      copyBinn: true,
      noSql: true,
      maxFileSize: 500 * 1024 ** 2,
      level: 9,
    });
  });

  it('rejects bad values as usage errors', () => {
    expect(() => parseCollectArgs({ maxFileSize: 'lots' })).toThrow(UsageError);
    expect(() => parseCollectArgs({ compressionLevel: '12' })).toThrow(UsageError);
    expect(() => parseCollectArgs({ passwordEnv: 'X', password: true })).toThrow(UsageError);
  });

  it('sizes', () => {
    expect(parseSize('1000')).toBe(1000);
    expect(parseSize('2k')).toBe(2048);
    expect(parseSize('1.5G')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('3MiB')).toBe(3 * 1024 ** 2);
    expect(parseSize('-1')).toBeUndefined();
  });

  it('CLI: unknown sweep mode and a missing password variable are usage errors (exit 2); the password is never echoed', async () => {
    expect((await runCli(['collect', '--source', '.', '--sweep', 'everything'])).code).toBe(2);
    const r = await runCli(['collect', '--source', '.', '--password-env', 'NOPE'], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NOPE is empty or not set/);
    const missing = await runCli(['collect', '--source', '/no/such/dir', '--out', '/tmp'], { env: {} });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the source/);
  });
});
